package io.sluice.call;

import io.micrometer.core.instrument.MeterRegistry;
import io.sluice.config.RouteTable;
import io.sluice.provider.ProviderClients;
import io.sluice.record.Keys;
import io.sluice.retry.RetryTiers;
import io.sluice.schemas.PromptRequest;
import java.util.List;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * What the call stage is built from: the providers, the routes, and the parts shared by every task of an instance
 * (circuit breakers, bulkheads, provider quotas and the tenant tag cap are per instance, not per task).
 *
 * @param redact applied to every provider error text before it is logged or written to a header or store
 * @param meters where the stage's meters are registered
 */
public record CallStage(ProviderClients providers, RouteTable routes, CallSettings settings, Breakers breakers,
                        Bulkheads bulkheads, ProviderQuotas quotas, ResponseCache cache, RetryTiers retryTiers,
                        UnaryOperator<String> redact, TenantTags tenantTags, MeterRegistry meters) {
    /** The stage's name on dead letters and in logs. */
    public static final String NAME = "call";
    /** Written on dead letters and audit records, so an operator knows which release handled a request. */
    public static final String APP_VERSION = Objects.requireNonNullElse(
            CallStage.class.getPackage().getImplementationVersion(), "dev");

    /** The targets a request is tried on, with the route's canary candidate first for users in the canary. */
    List<RouteTable.Target> chainOf(PromptRequest request) {
        return routes.chainFor(request.getRoute(), Keys.user(request));
    }
}
