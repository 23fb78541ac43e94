package io.sluice.accounting;

import java.nio.ByteBuffer;
import java.util.zip.DataFormatException;
import org.HdrHistogram.Histogram;

/** Provider latency in milliseconds as HdrHistograms (3 significant digits), stored in their compressed form. */
public final class LatencyHistograms {
    private LatencyHistograms() {}

    public static Histogram empty() {
        Histogram histogram = new Histogram(3);
        histogram.setAutoResize(true);
        return histogram;
    }

    public static Histogram decode(ByteBuffer bytes) {
        if (bytes == null || bytes.remaining() == 0) {
            return empty();
        }
        try {
            Histogram histogram = Histogram.decodeFromCompressedByteBuffer(bytes.duplicate(), 0);
            histogram.setAutoResize(true);
            return histogram;
        } catch (DataFormatException e) {
            throw new IllegalStateException("unreadable latency histogram", e);
        }
    }

    public static ByteBuffer encode(Histogram histogram) {
        ByteBuffer buffer = ByteBuffer.allocate(histogram.getNeededByteBufferCapacity());
        int length = histogram.encodeIntoCompressedByteBuffer(buffer);
        buffer.flip();
        buffer.limit(length);
        return buffer;
    }
}
