package io.sluice.call;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.sluice.config.RouteTable;
import io.sluice.limit.TokenEstimate;
import io.sluice.provider.CallTimeouts;
import io.sluice.provider.PriceTable;
import io.sluice.provider.ProviderClient;
import io.sluice.provider.ProviderException;
import io.sluice.schemas.DeadLetterReason;
import io.sluice.schemas.PromptRequest;
import io.sluice.schemas.internal.InFlightCall;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Which target a request's next attempt goes to: its current one, or the first later target of the route that has a
 * provider, a context window the prompt fits and a circuit that lets a call through. A target skipped for an open
 * circuit costs no attempt. Choosing takes the permits the call needs (the circuit's, the provider's quota and
 * bulkhead), so a {@link Call} must be made; a provider short of quota or bulkhead room makes the request wait.
 */
final class TargetChooser {
    private static final long BULKHEAD_RETRY_MS = 20;

    /** The choice for a request's next attempt. */
    sealed interface Choice {}

    /**
     * Call {@code target} (index {@code index} of the chain) within {@code timeouts}; the circuit's permission and
     * the provider's quota and bulkhead are already taken.
     */
    record Call(int index, RouteTable.Target target, ProviderClient provider, CircuitBreaker breaker,
                CallTimeouts timeouts) implements Choice {}

    /**
     * Wait until {@code at}, spending no attempt: for a provider's quota or bulkhead, or, when {@code fromFirstTarget},
     * for a circuit to let a trial call through, starting the route over.
     */
    record Wait(long at, boolean fromFirstTarget) implements Choice {}

    /** No target can take it now, nor within what the request may wait. */
    record GiveUp(DeadLetterReason reason, ProviderException error) implements Choice {}

    private final CallStage stage;
    private final CallSettings settings;

    TargetChooser(CallStage stage) {
        this.stage = stage;
        this.settings = stage.settings();
    }

    Choice choose(InFlightCall call, List<RouteTable.Target> chain, long now) {
        PromptRequest request = call.getRequest();
        Instant deadline = request.getDeadline();
        if (deadline != null && deadline.toEpochMilli() <= now) {
            return new GiveUp(DeadLetterReason.DEADLINE_EXCEEDED, new ProviderException(chain.isEmpty() ? "none"
                    : chain.get(0).provider(), 0, "deadline", false, null, "the request's deadline passed"));
        }
        CallTimeouts timeouts = CallTimeouts.of(settings.timeout(),
                deadline == null ? null : Duration.ofMillis(deadline.toEpochMilli() - now));
        long tokens = TokenEstimate.total(request, settings.defaultOutputTokens());
        boolean usable = false;
        for (int index = call.getTarget(); index < chain.size(); index++) {
            RouteTable.Target target = chain.get(index);
            ProviderClient provider = stage.providers().get(target.provider()).orElse(null);
            // Context-window fallback: a prompt too long for this model goes on to a larger one in the chain.
            if (provider == null || !PriceTable.fits(target.model(), tokens)) {
                continue;
            }
            usable = true;
            CircuitBreaker breaker = stage.breakers().of(target);
            if (!breaker.tryAcquirePermission()) {
                continue;
            }
            long quotaWait = stage.quotas().tryAcquire(target.provider(), tokens, now);
            if (quotaWait > 0) {
                breaker.releasePermission();
                return new Wait(now + quotaWait, false);
            }
            if (!stage.bulkheads().tryAcquire(target.provider())) {
                breaker.releasePermission();
                return new Wait(now + BULKHEAD_RETRY_MS, false);
            }
            return new Call(index, target, provider, breaker, timeouts);
        }
        String last = chain.isEmpty() ? "none" : chain.get(chain.size() - 1).provider();
        if (!usable && !anyUsable(chain, tokens)) {
            // No target of the route could ever take it: waiting for circuits or a retry tier would change nothing.
            return new GiveUp(DeadLetterReason.NON_RETRYABLE, new ProviderException(last, 0, "no_usable_target",
                    false, null, "no target of route '" + request.getRoute() + "' can take this request: its"
                    + " providers are not configured, or it is too long (" + tokens + " tokens) for every model"));
        }
        // Every remaining circuit is open: wait for the primary's to let a trial call through, within bounds. Look
        // again within a second: a half-open circuit admits only a few trial calls, and once they succeed the
        // waiting requests should go at once rather than after another whole open period.
        long waitUntil = call.getAcceptedAt().toEpochMilli() + settings.maxCircuitWait().toMillis();
        long retryAt = now + Math.min(settings.circuitOpen().toMillis(), 1_000);
        if (!chain.isEmpty() && retryAt <= waitUntil && (deadline == null || retryAt < deadline.toEpochMilli())) {
            return new Wait(retryAt, true);
        }
        return new GiveUp(DeadLetterReason.NO_TARGET_AVAILABLE, new ProviderException(last, 0, "circuit_open", true,
                null, "no target of route '" + request.getRoute() + "' was available within "
                + settings.maxCircuitWait().toSeconds() + " s: circuits open or providers not configured"));
    }

    /** Whether any target of the chain has a provider and a context window the request fits. */
    private boolean anyUsable(List<RouteTable.Target> chain, long tokens) {
        return chain.stream().anyMatch(target -> stage.providers().get(target.provider()).isPresent()
                && PriceTable.fits(target.model(), tokens));
    }
}
