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
        return new Encoder().encode(histogram);
    }

    /**
     * Encodes histograms through one scratch buffer, for a caller that encodes at every outcome: the encoding needs a
     * buffer the size of the histogram's counts (18 KiB for provider latencies up to a few seconds), of which a
     * provider row's histogram fills a few hundred bytes. Not thread-safe: one per processor.
     */
    public static final class Encoder {
        private ByteBuffer scratch = ByteBuffer.allocate(0);

        /** The compressed encoding of {@code histogram}, in a buffer of its own exactly that long. */
        public ByteBuffer encode(Histogram histogram) {
            // the uncompressed encoding's largest size (every count 9 bytes long), plus what a stored deflate stream
            // adds to it: a header, a checksum and 5 bytes a block of at most 64 KiB
            int needed = histogram.getNeededByteBufferCapacity() + 64 + histogram.getNeededByteBufferCapacity() / 4096;
            if (scratch.capacity() < needed) {
                scratch = ByteBuffer.allocate(needed);
            }
            scratch.clear();
            int length = histogram.encodeIntoCompressedByteBuffer(scratch, Deflater.NO_COMPRESSION);
            return ByteBuffer.wrap(java.util.Arrays.copyOf(scratch.array(), length));
        }
    }
}
