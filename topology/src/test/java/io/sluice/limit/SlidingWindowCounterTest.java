package io.sluice.limit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The counter's documented error bound, checked over many random arrival patterns. */
class SlidingWindowCounterTest {
    private static final Limit.Window W = Limit.Window.MINUTE;
    private static final CountersSerde SERDE = new CountersSerde();

    @Test
    @DisplayName("never admits more than the limit in any window, and refuses only when the limit was reached within a window plus a bucket")
    void holdsItsErrorBound() {
        Random random = new Random(20261122);
        for (int trial = 0; trial < 300; trial++) {
            int max = 1 + random.nextInt(30);
            SlidingWindowCounter counter = new SlidingWindowCounter(W);
            List<Long> admitted = new ArrayList<>();
            long time = random.nextInt(60_000);
            for (int i = 0; i < 400; i++) {
                time += random.nextInt(random.nextBoolean() ? 500 : 5_000);
                var check = counter.check(max, 1, time);
                if (check.allowed()) {
                    counter.add(1, time);
                    admitted.add(time);
                    // upper bound: at most max in (t - W, t]
                    long t = time;
                    assertThat(admitted.stream().filter(a -> a > t - W.lengthMs()).count()).isLessThanOrEqualTo(max);
                } else {
                    // slack: refused only if max were admitted within [t - W - bucket, t]
                    long t = time;
                    assertThat(admitted.stream().filter(a -> a >= t - W.lengthMs() - W.bucketMs()).count())
                            .isGreaterThanOrEqualTo(max);
                    assertRetryHintIsExact(counter, max, 1, t, check.retryAfterMs());
                }
            }
        }
    }

    @Test
    @DisplayName("holds the same bound when requests arrive out of order and the counters go through the store's"
            + " bytes, pruned, at every write")
    void holdsItsErrorBoundOutOfOrderThroughTheStore() {
        Random random = new Random(20261204);
        for (int trial = 0; trial < 200; trial++) {
            int max = 1 + random.nextInt(30);
            byte[] stored = null;
            List<Long> admitted = new ArrayList<>();
            long now = 1_800_000_000_000L + random.nextInt(60_000);
            for (int i = 0; i < 400; i++) {
                now += random.nextInt(random.nextBoolean() ? 500 : 5_000);
                // judged anywhere from a minute in the past to the allowed skew ahead, as RequestTime clamps it
                long t = now - RequestTime.MAX_PAST_MS + random.nextInt((int) RequestTime.MAX_PAST_MS + 5_000);
                Counters counters = stored == null ? new Counters() : SERDE.deserialize("", stored);
                SlidingWindowCounter counter = counters.counter(W, Limit.Measure.REQUESTS);
                var check = counter.check(max, 1, t);
                if (check.allowed()) {
                    counter.add(1, t);
                    admitted.add(t);
                    counters.dropBefore(now - RequestTime.MAX_PAST_MS);
                    stored = SERDE.serialize("", counters);
                } else {
                    // refused only if max were admitted from a window and a bucket before t on (later ones count)
                    assertThat(admitted.stream().filter(a -> a >= t - W.lengthMs() - W.bucketMs()).count())
                            .isGreaterThanOrEqualTo(max);
                    assertRetryHintIsExact(counter, max, 1, t, check.retryAfterMs());
                }
            }
            assertAtMostMaxInAnyWindow(admitted, max);
        }
    }

    @Test
    @DisplayName("counts a request that arrived earlier with a later time against a request judged before it")
    void countsLaterBucketsWrittenOutOfOrder() {
        SlidingWindowCounter counter = new SlidingWindowCounter(W);
        counter.add(1, 100_000);

        var check = counter.check(1, 1, 90_000);

        assertThat(check.allowed()).isFalse();
        assertThat(check.used()).isEqualTo(1);
        // the bucket from 100 s leaves the range judged at t when bucketStart(t) - 60 s passes it: at 161 s
        assertThat(check.retryAfterMs()).isEqualTo(161_000 - 90_000);
    }

    @Test
    @DisplayName("forgets only the buckets no request judged from the given time on can see")
    void dropsOnlyBucketsOutOfEveryWindow() {
        SlidingWindowCounter counter = new SlidingWindowCounter(W);
        counter.add(1, 10_000);
        counter.add(2, 10_999);
        counter.add(4, 11_000);
        counter.add(8, 70_500);

        counter.dropBefore(71_000);

        // judged at 71 s the range starts at 11 s: the bucket from 10 s is gone, the one from 11 s is not
        assertThat(counter.size()).isEqualTo(2);
        assertThat(counter.check(100, 0, 71_000).used()).isEqualTo(12);
        counter.dropBefore(10_000_000);
        assertThat(counter.isEmpty()).isTrue();
    }

    /** A retry at the hint passes, and a millisecond earlier it would not have. */
    private static void assertRetryHintIsExact(SlidingWindowCounter counter, long max, long cost, long t,
                                               long retryAfterMs) {
        long retryAt = t + retryAfterMs;
        assertThat(counter.check(max, cost, retryAt).allowed()).isTrue();
        assertThat(counter.check(max, cost, retryAt - 1).allowed()).isFalse();
    }

    private static void assertAtMostMaxInAnyWindow(List<Long> admitted, int max) {
        List<Long> sorted = new ArrayList<>(admitted);
        Collections.sort(sorted);
        int from = 0;
        for (int to = 0; to < sorted.size(); to++) {
            while (sorted.get(to) - sorted.get(from) >= W.lengthMs()) {
                from++;
            }
            assertThat(to - from + 1).as("admitted in the window ending at %d", sorted.get(to))
                    .isLessThanOrEqualTo(max);
        }
    }
}
