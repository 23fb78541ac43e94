package io.sluice.topology;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Metrics;

/**
 * The one counter of dead letters, whoever writes them: the call stage (a request no provider answered) and Kafka
 * Streams' error handlers (a record that could not be read, processed or written).
 */
public final class DeadLetters {
    /** Dead letters written, by reason, error class and provider ({@value #NO_PROVIDER} when none was involved). */
    public static final String METRIC = "sluice.dead.letters";
    public static final String NO_PROVIDER = "none";

    private DeadLetters() {}

    /** Counts one dead letter; every tag is from a bounded set (reasons and error classes are Sluice's own words). */
    public static void count(DeadLetterReason reason, String errorClass, String provider) {
        Counter.builder(METRIC).description("Dead letters written, by why")
                .tags("reason", reason.name(), "error_class", errorClass, "provider", provider)
                .register(Metrics.globalRegistry).increment();
    }
}
