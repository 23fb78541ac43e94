package io.sluice.accounting;

import java.nio.ByteBuffer;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import org.HdrHistogram.Histogram;

/**
 * Provider latency in milliseconds as HdrHistograms (3 significant digits), stored in their compressed encoding with
 * a stored (level 0) deflate stream: every decoder of that encoding reads it, and writing it costs a third of the
 * default level's time (an outcome rewrites its provider row's histogram) for one and a half to two and a half times
 * the bytes: a few kilobytes a provider row and minute.
 */
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
        int length = histogram.encodeIntoCompressedByteBuffer(buffer, Deflater.NO_COMPRESSION);
        buffer.flip();
        buffer.limit(length);
        return buffer;
    }
}
