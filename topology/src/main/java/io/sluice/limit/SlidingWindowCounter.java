package io.sluice.limit;

/**
 * A bucketed sliding-window counter. A window of length W is kept as buckets of W/60; a request at time t is judged
 * on every bucket that starts at or after bucketStart(t) - W, which covers [bucketStart(t) - W, t]: at least W and
 * less than W + W/60 of history (plus any bucket later than t, written by a request that arrived out of order; they
 * count too, which only makes the judgement stricter). Hence the error bound, which tests check:
 * <ul>
 *   <li>never more than {@code max} admitted in any interval of length W (no over-admission at window edges, unlike
 *       fixed windows, which allow 2 x max across a boundary);</li>
 *   <li>a request is refused only when {@code max} was reached within the last W + W/60 (so it may be refused up to
 *       1/60 of a window, one second a minute, earlier than an exact sliding log would).</li>
 * </ul>
 */
final class SlidingWindowCounter {

    /** Where the bucket counts live: a Kafka Streams window store in production, a map in tests. */
    public interface Buckets {
        /** Counts of the buckets of {@code key} whose start is in [from, to], oldest first, as (start, count). */
        Iterable<long[]> range(String key, long from, long to);

        void put(String key, long bucketStart, long count);

        long get(String key, long bucketStart);
    }

    /** Judgement of one request against one window. */
    public record Check(long used, boolean allowed, long retryAfterMs) {}

    private SlidingWindowCounter() {}

    public static long bucketStart(long time, Limit.Window window) {
        return time - Math.floorMod(time, window.bucketMs());
    }

    /** Whether {@code cost} more fits under {@code max} at {@code time}; if not, how long until it would. */
    public static Check check(Buckets buckets, String key, Limit.Window window, long max, long cost, long time) {
        long current = bucketStart(time, window);
        long from = current - window.lengthMs();
        long used = 0;
        for (long[] bucket : buckets.range(key, from, Long.MAX_VALUE)) {
            used += bucket[1];
        }
        if (used + cost <= max) {
            return new Check(used, true, 0);
        }
        // The oldest bucket leaves the judged range when bucketStart(t') - W passes its start.
        long excess = used + cost - max;
        long freed = 0;
        for (long[] bucket : buckets.range(key, from, Long.MAX_VALUE)) {
            freed += bucket[1];
            if (freed >= excess) {
                return new Check(used, false, Math.max(1, bucket[0] + window.lengthMs() + window.bucketMs() - time));
            }
        }
        // cost alone is more than max: it never fits; say when the window is empty again
        return new Check(used, false, Math.max(1, current + window.lengthMs() + window.bucketMs() - time));
    }

    public static void add(Buckets buckets, String key, Limit.Window window, long cost, long time) {
        long start = bucketStart(time, window);
        buckets.put(key, start, buckets.get(key, start) + cost);
    }
}
