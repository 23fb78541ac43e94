package io.sluice.call;

import io.sluice.config.SluiceConfig;
import io.sluice.config.SluiceConfigDef;
import java.time.Duration;

/** The call stage's knobs, read once from configuration. */
public record CallSettings(Duration timeout, int maxAttempts, Duration initialBackoff, int maxInFlight,
                           Duration pollInterval, Duration dedupRetention, Duration maxCircuitWait,
                           Duration circuitOpen) {

    public static CallSettings from(SluiceConfig config) {
        return new CallSettings(
                Duration.ofMillis(config.integer(SluiceConfigDef.CALL_TIMEOUT_MS)),
                config.integer(SluiceConfigDef.CALL_MAX_ATTEMPTS),
                Duration.ofMillis(config.integer(SluiceConfigDef.CALL_BACKOFF_MS)),
                config.integer(SluiceConfigDef.CALL_MAX_IN_FLIGHT),
                Duration.ofMillis(config.longValue(SluiceConfigDef.CALL_POLL_INTERVAL_MS)),
                Duration.ofMillis(config.longValue(SluiceConfigDef.CALL_DEDUP_RETENTION_MS)),
                Duration.ofMillis(config.longValue(SluiceConfigDef.CALL_MAX_WAIT_MS)),
                Duration.ofMillis(config.integer(SluiceConfigDef.BREAKER_OPEN_MS)));
    }

    /** Backoff before attempt {@code attempt + 1}: doubling from the initial one, or the provider's Retry-After. */
    public Duration backoffAfter(int attempt, Duration retryAfter) {
        Duration doubling = initialBackoff.multipliedBy(1L << Math.min(attempt - 1, 16));
        return retryAfter != null && retryAfter.compareTo(doubling) > 0 ? retryAfter : doubling;
    }
}
