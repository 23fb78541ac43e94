package io.sluice.call;

import io.sluice.config.RouteTable;
import io.sluice.provider.ProviderClients;
import io.sluice.retry.RetryTiers;
import java.util.function.UnaryOperator;

/**
 * What the call stage is built from: the providers, the routes, and the parts shared by every task of an instance
 * (circuit breakers, bulkheads, provider quotas and the tenant tag cap are per instance, not per task).
 *
 * @param redact applied to every provider error text before it is logged or written to a header or store
 */
public record CallStage(ProviderClients providers, RouteTable routes, CallSettings settings, Breakers breakers,
                        Bulkheads bulkheads, ProviderQuotas quotas, ResponseCache cache, RetryTiers retryTiers,
                        UnaryOperator<String> redact, TenantTags tenantTags) {}
