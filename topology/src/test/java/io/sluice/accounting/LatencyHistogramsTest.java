package io.sluice.accounting;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class LatencyHistogramsTest {
    private static Histogram sparse() {
        Histogram histogram = LatencyHistograms.empty();
        for (int i = 0; i < 1_000; i++) {
            histogram.recordValue(45 + i % 40);
        }
        histogram.recordValue(2_900);
        return histogram;
    }

    /** Every value from 1 to 20,000 ms, each a different count: the encoding's largest case for its range. */
    private static Histogram dense() {
        Histogram histogram = LatencyHistograms.empty();
        for (int value = 1; value <= 20_000; value++) {
            histogram.recordValueWithCount(value, 1_000_000L + value);
        }
        return histogram;
    }

    @Test
    @DisplayName("one encoder, reused across histograms of any size, writes what a decoder reads back exactly")
    void reusedEncoderRoundTrips() {
        LatencyHistograms.Encoder encoder = new LatencyHistograms.Encoder();
        Histogram small = sparse();
        Histogram large = dense();

        ByteBuffer first = encoder.encode(small);
        ByteBuffer second = encoder.encode(large); // grows the scratch buffer
        ByteBuffer third = encoder.encode(small); // and reuses it

        assertThat(LatencyHistograms.decode(first)).isEqualTo(small);
        assertThat(LatencyHistograms.decode(second)).isEqualTo(large);
        assertThat(LatencyHistograms.decode(third)).isEqualTo(small);
        // each result is its own copy: encoding the next histogram did not overwrite the earlier bytes
        assertThat(first).isEqualTo(third);
        assertThat(first.remaining()).isLessThan(small.getNeededByteBufferCapacity() / 10);
    }

    @Test
    @DisplayName("the static encoding and the reused encoder's are the same bytes")
    void encoderMatchesTheOneOffEncoding() {
        LatencyHistograms.Encoder encoder = new LatencyHistograms.Encoder();
        encoder.encode(dense());
        Histogram histogram = sparse();

        assertThat(encoder.encode(histogram)).isEqualTo(LatencyHistograms.encode(histogram));
    }
}
