package io.sluice.call;

import io.sluice.provider.ProviderException;
import io.sluice.schemas.DeadLetterReason;
import io.sluice.schemas.internal.InFlightCall;
import java.time.Duration;
import java.time.Instant;

/**
 * After a failed attempt: the same target again after a backoff (exponential, or the provider's Retry-After), the
 * route's next target at once, or give up, and why. A 4xx is not retried on its target but may still fall back.
 */
final class RetryPolicy {
    /** What follows a failed attempt. */
    sealed interface Next {
        /** Retry the same target at {@code at}. */
        record SameTarget(long at) implements Next {}

        /** Try the route's next target now. */
        record NextTarget() implements Next {}

        /** No retry: the give-up ladder decides what becomes of the request. */
        record GiveUp(DeadLetterReason reason) implements Next {}
    }

    private final CallSettings settings;

    RetryPolicy(CallSettings settings) {
        this.settings = settings;
    }

    Next afterFailure(InFlightCall call, ProviderException error, int chainLength, long now) {
        Duration retryAfter = error.retryAfter().orElse(null);
        long retryAt = now + settings.backoffAfter(call.getTargetAttempts(), retryAfter).toMillis();
        boolean sameTarget = error.retryable() && call.getTargetAttempts() < settings.maxAttempts()
                && settings.honours(retryAfter);
        Instant deadline = call.getRequest().getDeadline();
        if (deadline != null && deadline.toEpochMilli() <= (sameTarget ? retryAt : now)) {
            return new Next.GiveUp(DeadLetterReason.DEADLINE_EXCEEDED);
        }
        if (sameTarget) {
            return new Next.SameTarget(retryAt);
        }
        if (call.getTarget() + 1 < chainLength) {
            return new Next.NextTarget();
        }
        return new Next.GiveUp(error.retryable() ? DeadLetterReason.RETRIES_EXHAUSTED : DeadLetterReason.NON_RETRYABLE);
    }
}
