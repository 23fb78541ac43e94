package io.sluice.limit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The counters' bytes in the store and its changelog. */
class CountersSerdeTest {
    private static final CountersSerde SERDE = new CountersSerde();
    private static final long NOW = 1_796_000_000_000L;

    @Test
    @DisplayName("reads back every window's and measure's buckets as written, whatever their times and counts")
    void roundTrips() {
        Random random = new Random(12);
        for (int trial = 0; trial < 200; trial++) {
            Counters counters = new Counters();
            for (Limit.Window window : Limit.Window.values()) {
                for (Limit.Measure measure : Limit.Measure.values()) {
                    if (random.nextInt(4) > 0) {
                        SlidingWindowCounter counter = counters.counter(window, measure);
                        for (int i = random.nextInt(200); i > 0; i--) {
                            counter.add(1 + random.nextInt(random.nextBoolean() ? 3 : 1_000_000),
                                    NOW - random.nextLong(window.lengthMs() * 2));
                        }
                    }
                }
            }

            Counters read = SERDE.deserialize("t", SERDE.serialize("t", counters));

            for (int series = 0; series < Counters.SERIES; series++) {
                assertThat(buckets(read.at(series))).isEqualTo(buckets(counters.at(series)));
            }
        }
    }

    @Test
    @DisplayName("keeps a busy key's minute of requests in about two bytes a bucket")
    void isCompact() {
        Counters counters = new Counters();
        for (long t = NOW - 60_000; t < NOW; t += 100) {
            counters.counter(Limit.Window.MINUTE, Limit.Measure.REQUESTS).add(1, t);
        }

        byte[] bytes = SERDE.serialize("t", counters);

        assertThat(bytes[0]).isEqualTo(CountersSerde.VERSION);
        assertThat(bytes.length).isLessThan(1 + 2 + 6 + 60 * 2);
    }

    @Test
    @DisplayName("writes no bytes for empty counters, and reads them back empty")
    void emptyCounters() {
        Counters counters = new Counters();
        counters.counter(Limit.Window.DAY, Limit.Measure.TOKENS);

        byte[] bytes = SERDE.serialize("t", counters);

        assertThat(bytes).containsExactly(CountersSerde.VERSION);
        assertThat(SERDE.deserialize("t", bytes).isEmpty()).isTrue();
    }

    @Test
    @DisplayName("refuses bytes of a format version it does not know, naming the versions")
    void refusesUnknownVersion() {
        Counters counters = new Counters();
        counters.counter(Limit.Window.HOUR, Limit.Measure.REQUESTS).add(1, NOW);
        byte[] bytes = SERDE.serialize("t", counters);
        bytes[0] = 2;

        assertThatThrownBy(() -> SERDE.deserialize("t", bytes)).isInstanceOf(SerializationException.class)
                .hasMessageContaining("format version 2").hasMessageContaining("version 1 only");
    }

    @Test
    @DisplayName("refuses truncated or corrupt bytes instead of reading wrong counts")
    void refusesCorruptBytes() {
        Counters counters = new Counters();
        counters.counter(Limit.Window.MINUTE, Limit.Measure.REQUESTS).add(3, NOW);
        counters.counter(Limit.Window.MINUTE, Limit.Measure.REQUESTS).add(5, NOW + 5_000);
        byte[] bytes = SERDE.serialize("t", counters);
        byte[] truncated = java.util.Arrays.copyOf(bytes, bytes.length - 1);
        byte[] badSeries = bytes.clone();
        badSeries[1] = (byte) Counters.SERIES;

        assertThatThrownBy(() -> SERDE.deserialize("t", new byte[0])).isInstanceOf(SerializationException.class);
        assertThatThrownBy(() -> SERDE.deserialize("t", truncated)).isInstanceOf(SerializationException.class);
        assertThatThrownBy(() -> SERDE.deserialize("t", badSeries)).isInstanceOf(SerializationException.class);
    }

    private static String buckets(SlidingWindowCounter counter) {
        StringBuilder out = new StringBuilder();
        if (counter != null) {
            for (int i = 0; i < counter.size(); i++) {
                out.append(counter.start(i)).append('=').append(counter.count(i)).append(' ');
            }
        }
        return out.toString();
    }
}
