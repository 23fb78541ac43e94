package io.sluice.call;

import io.sluice.config.SluiceConfig;
import io.sluice.config.SluiceConfigDef;
import io.sluice.provider.PriceTable;
import java.time.Duration;
import java.util.Map;

/** The call stage's knobs, read once from configuration. */
public record CallSettings(Duration timeout, int maxAttempts, Duration initialBackoff, int maxInFlight,
                           int maxWaiting, Duration pollInterval, Duration dedupRetention, Duration maxCircuitWait,
                           Duration circuitOpen, Duration maxBlock, Map<String, String> degradedAnswers,
                           int defaultOutputTokens, boolean inFlightInMemory, PriceTable prices) {
    /** The longest Retry-After honoured on the same target; a provider asking for more is left for the next one. */
    public static final Duration MAX_RETRY_AFTER = Duration.ofSeconds(60);

    public static CallSettings from(SluiceConfig config) {
        return new CallSettings(
                Duration.ofMillis(config.integer(SluiceConfigDef.CALL_TIMEOUT_MS)),
                config.integer(SluiceConfigDef.CALL_MAX_ATTEMPTS),
                Duration.ofMillis(config.integer(SluiceConfigDef.CALL_BACKOFF_MS)),
                config.integer(SluiceConfigDef.CALL_MAX_IN_FLIGHT),
                config.integer(SluiceConfigDef.CALL_MAX_WAITING),
                Duration.ofMillis(config.longValue(SluiceConfigDef.CALL_POLL_INTERVAL_MS)),
                Duration.ofMillis(config.longValue(SluiceConfigDef.CALL_DEDUP_RETENTION_MS)),
                Duration.ofMillis(config.longValue(SluiceConfigDef.CALL_MAX_WAIT_MS)),
                Duration.ofMillis(config.integer(SluiceConfigDef.BREAKER_OPEN_MS)),
                // process() may block for completions at most a third of the transaction timeout, so a full
                // in-flight bound never lets the broker abort the open transaction
                Duration.ofMillis(Math.min(2L * config.integer(SluiceConfigDef.CALL_TIMEOUT_MS),
                        config.integer(SluiceConfigDef.TRANSACTION_TIMEOUT_MS) / 3)),
                degradedAnswers(config),
                config.integer(SluiceConfigDef.DEFAULT_OUTPUT_TOKENS),
                "memory".equals(config.string(SluiceConfigDef.CALL_IN_FLIGHT_STORE)),
                PriceTable.from(config));
    }


    private static Map<String, String> degradedAnswers(SluiceConfig config) {
        Map<String, String> answers = new java.util.HashMap<>();
        var routes = config.routes();
        config.originalsWithPrefix(SluiceConfigDef.ROUTES_DEGRADED_PREFIX).forEach((route, message) -> {
            if (routes.target(route).isEmpty() || String.valueOf(message).isBlank()) {
                throw new org.apache.kafka.common.config.ConfigException(SluiceConfigDef.ROUTES_DEGRADED_PREFIX + route, message,
                        "must name a configured route " + routes.names() + " and give a non-empty message");
            }
            answers.put(route, String.valueOf(message));
        });
        return Map.copyOf(answers);
    }

    /**
     * Backoff before attempt {@code attempt + 1}: doubling from the initial one with up to 20% jitter (so retries of
     * a burst do not arrive together), or the provider's Retry-After when that is longer.
     */
    public Duration backoffAfter(int attempt, Duration retryAfter) {
        Duration doubling = initialBackoff.multipliedBy(1L << Math.min(attempt - 1, 16));
        long jitter = (long) (doubling.toMillis() * 0.2 * java.util.concurrent.ThreadLocalRandom.current().nextDouble());
        Duration jittered = doubling.plusMillis(jitter);
        return retryAfter != null && retryAfter.compareTo(jittered) > 0 ? retryAfter : jittered;
    }

    /** Whether a provider's Retry-After is short enough to wait for on the same target. */
    public boolean honours(Duration retryAfter) {
        return retryAfter == null || retryAfter.compareTo(MAX_RETRY_AFTER) <= 0;
    }
}
