package io.sluice.limit;

import java.time.Duration;
import java.util.Locale;

/** One limit: at most {@code max} of a measure per rolling window, for a user or a tenant. */
public record Limit(Scope scope, Measure measure, Window window, long max) {

    /** Who a limit applies to; each scope runs on the partition that owns its key. */
    public enum Scope {
        USER, TENANT;

        public String word() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** What is counted: requests, or estimated tokens (input plus requested output). */
    public enum Measure {
        REQUESTS, TOKENS;

        public String word() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * A rolling window, counted in 60 buckets: the count a request is judged on covers between one window and one
     * window plus one bucket (1/60 of it) of history.
     */
    public enum Window {
        MINUTE(Duration.ofMinutes(1)), HOUR(Duration.ofHours(1)), DAY(Duration.ofDays(1));

        public static final int BUCKETS = 60;
        private final Duration length;

        Window(Duration length) {
            this.length = length;
        }

        public long lengthMs() {
            return length.toMillis();
        }

        public long bucketMs() {
            return length.toMillis() / BUCKETS;
        }

        public String word() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** The configuration name of this limit, e.g. {@code user.requests.per.minute}. */
    public String name() {
        return name(scope, measure, window);
    }

    public static String name(Scope scope, Measure measure, Window window) {
        return scope.word() + "." + measure.word() + ".per." + window.word();
    }
}
