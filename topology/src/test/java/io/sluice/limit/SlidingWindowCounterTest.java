package io.sluice.limit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The counter's documented error bound, checked over many random arrival patterns. */
class SlidingWindowCounterTest {
    private static final Limit.Window W = Limit.Window.MINUTE;

    /** Bucket counts in a sorted map: the same contract as the window store. */
    private static final class MapBuckets implements SlidingWindowCounter.Buckets {
        private final TreeMap<Long, Long> counts = new TreeMap<>();

        @Override
        public Iterable<long[]> range(String key, long from, long to) {
            List<long[]> out = new ArrayList<>();
            for (Map.Entry<Long, Long> e : counts.subMap(from, true, to, true).entrySet()) {
                out.add(new long[] {e.getKey(), e.getValue()});
            }
            return out;
        }

        @Override
        public void put(String key, long bucketStart, long count) {
            counts.put(bucketStart, count);
        }

        @Override
        public long get(String key, long bucketStart) {
            return counts.getOrDefault(bucketStart, 0L);
        }
    }

    @Test
    @DisplayName("never admits more than the limit in any window, and refuses only when the limit was reached within a window plus a bucket")
    void holdsItsErrorBound() {
        Random random = new Random(20261122);
        for (int trial = 0; trial < 300; trial++) {
            int max = 1 + random.nextInt(30);
            MapBuckets buckets = new MapBuckets();
            List<Long> admitted = new ArrayList<>();
            long time = random.nextInt(60_000);
            for (int i = 0; i < 400; i++) {
                time += random.nextInt(random.nextBoolean() ? 500 : 5_000);
                var check = SlidingWindowCounter.check(buckets, "k", W, max, 1, time);
                if (check.allowed()) {
                    SlidingWindowCounter.add(buckets, "k", W, 1, time);
                    admitted.add(time);
                    // upper bound: at most max in (t - W, t]
                    long t = time;
                    assertThat(admitted.stream().filter(a -> a > t - W.lengthMs()).count()).isLessThanOrEqualTo(max);
                } else {
                    // slack: refused only if max were admitted within [t - W - bucket, t]
                    long t = time;
                    assertThat(admitted.stream().filter(a -> a >= t - W.lengthMs() - W.bucketMs()).count())
                            .isGreaterThanOrEqualTo(max);
                    // and the retry hint is when it would pass
                    long retryAt = t + check.retryAfterMs();
                    assertThat(SlidingWindowCounter.check(buckets, "k", W, max, 1, retryAt).allowed()).isTrue();
                    assertThat(SlidingWindowCounter.check(buckets, "k", W, max, 1, retryAt - 1).allowed()).isFalse();
                }
            }
        }
    }
}
