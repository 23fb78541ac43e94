package io.sluice.limit;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.Map;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.utils.ByteUtils;

/**
 * The bytes of a key's {@link Counters} in the counters stores and their changelogs. Not Avro: the value is rewritten
 * at every request a key passes, and a schema id plus a record per bucket would make it several times larger.
 * <pre>
 * version         1 byte, {@value #VERSION}
 * then per window and measure with buckets, in {@link Counters#series} order:
 *   series        1 byte, {@link Counters#series}
 *   buckets       unsigned varint, at least 1
 *   first bucket  varlong, its start / the window's bucket length; then each later bucket as an unsigned varint,
 *                 how many bucket lengths after the one before it it starts
 *   count         varlong after each bucket's start, at least 1
 * </pre>
 * A reader refuses a version it does not know rather than guess: a build that wrote a newer version must not be
 * rolled back onto its stores (start the older one with empty counters, as an upgrade from the window stores does).
 */
final class CountersSerde implements Serde<Counters>, Serializer<Counters>, Deserializer<Counters> {
    static final byte VERSION = 1;

    @Override
    public byte[] serialize(String topic, Counters counters) {
        if (counters == null) {
            return null;
        }
        int size = 1;
        for (int series = 0; series < Counters.SERIES; series++) {
            SlidingWindowCounter counter = counters.at(series);
            if (counter != null && !counter.isEmpty()) {
                size += 1 + ByteUtils.sizeOfUnsignedVarint(counter.size());
                long bucketMs = counter.window().bucketMs();
                for (int i = 0; i < counter.size(); i++) {
                    size += (i == 0 ? ByteUtils.sizeOfVarlong(counter.start(0) / bucketMs)
                            : ByteUtils.sizeOfUnsignedVarint(gap(counter, i)))
                            + ByteUtils.sizeOfVarlong(counter.count(i));
                }
            }
        }
        ByteBuffer out = ByteBuffer.allocate(size);
        out.put(VERSION);
        for (int series = 0; series < Counters.SERIES; series++) {
            SlidingWindowCounter counter = counters.at(series);
            if (counter != null && !counter.isEmpty()) {
                out.put((byte) series);
                ByteUtils.writeUnsignedVarint(counter.size(), out);
                ByteUtils.writeVarlong(counter.start(0) / counter.window().bucketMs(), out);
                ByteUtils.writeVarlong(counter.count(0), out);
                for (int i = 1; i < counter.size(); i++) {
                    ByteUtils.writeUnsignedVarint(gap(counter, i), out);
                    ByteUtils.writeVarlong(counter.count(i), out);
                }
            }
        }
        return out.array();
    }

    /** How many bucket lengths bucket {@code i} starts after bucket {@code i - 1}. */
    private static int gap(SlidingWindowCounter counter, int i) {
        return Math.toIntExact((counter.start(i) - counter.start(i - 1)) / counter.window().bucketMs());
    }

    @Override
    public Counters deserialize(String topic, byte[] bytes) {
        if (bytes == null) {
            return null;
        }
        try {
            return read(ByteBuffer.wrap(bytes));
        } catch (BufferUnderflowException | IllegalArgumentException | ArithmeticException e) {
            throw new SerializationException("limit counters of " + bytes.length + " bytes are not readable: " + e, e);
        }
    }

    private static Counters read(ByteBuffer in) {
        byte version = in.get();
        if (version != VERSION) {
            throw new SerializationException("limit counters are in format version " + version
                    + "; this build reads version " + VERSION + " only");
        }
        Counters counters = new Counters();
        int previous = -1;
        while (in.hasRemaining()) {
            int series = in.get();
            int buckets = ByteUtils.readUnsignedVarint(in);
            // every bucket takes two bytes at least: more than that would be corrupt bytes asking for a huge array
            if (series <= previous || series >= Counters.SERIES || buckets < 1 || buckets > in.remaining() / 2) {
                throw new IllegalArgumentException("series " + series + " after " + previous + " with " + buckets
                        + " buckets");
            }
            Limit.Window window = Counters.window(series);
            long[] starts = new long[buckets];
            long[] counts = new long[buckets];
            long bucket = ByteUtils.readVarlong(in);
            for (int i = 0; i < buckets; i++) {
                if (i > 0) {
                    int gap = ByteUtils.readUnsignedVarint(in);
                    if (gap < 1) {
                        throw new IllegalArgumentException("buckets out of order in series " + series);
                    }
                    bucket = Math.addExact(bucket, gap);
                }
                starts[i] = Math.multiplyExact(bucket, window.bucketMs());
                counts[i] = ByteUtils.readVarlong(in);
                if (counts[i] < 1) {
                    throw new IllegalArgumentException("count " + counts[i] + " in series " + series);
                }
            }
            counters.set(series, new SlidingWindowCounter(window, starts, counts, buckets));
            previous = series;
        }
        return counters;
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        // nothing to configure
    }

    @Override
    public void close() {
        // nothing to release
    }

    @Override
    public Serializer<Counters> serializer() {
        return this;
    }

    @Override
    public Deserializer<Counters> deserializer() {
        return this;
    }
}
