package io.sluice.serde;

import io.sluice.registry.SchemaRegistryClient;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Writes Avro SpecificRecords in the Confluent wire format, registering each record's schema under the topic's
 * TopicNameStrategy subject on first use (then cached by the registry client).
 */
public final class SpecificAvroSerializer<T extends SpecificRecord> implements Serializer<T> {
    private final SchemaRegistryClient registry;
    private final boolean isKey;
    private final ConcurrentHashMap<Schema, DatumWriter<T>> writers = new ConcurrentHashMap<>();
    /** Each topic's subject, built once: a serializer writes to a few topics, a record at a time. */
    private final ConcurrentHashMap<String, String> subjects = new ConcurrentHashMap<>();

    public SpecificAvroSerializer(SchemaRegistryClient registry, boolean isKey) {
        this.registry = registry;
        this.isKey = isKey;
    }

    @Override
    public byte[] serialize(String topic, T data) {
        if (data == null) {
            return null;
        }
        Schema schema = data.getSchema();
        String subject = subjects.get(topic);
        if (subject == null) {
            subject = ConfluentWireFormat.subject(topic, isKey);
            subjects.putIfAbsent(topic, subject);
        }
        int id = registry.register(subject, schema);
        Scratch scratch = SCRATCH.get();
        // configured before the reset: bytes a failed write left in the encoder go to the contents dropped
        scratch.encoder = EncoderFactory.get().binaryEncoder(scratch.out, scratch.encoder);
        scratch.out.reset();
        byte[] header = scratch.header;
        ConfluentWireFormat.writeHeader(ByteBuffer.wrap(header), id);
        scratch.out.write(header, 0, header.length);
        try {
            writers.computeIfAbsent(schema, SpecificDatumWriter::new).write(data, scratch.encoder);
            scratch.encoder.flush();
        } catch (IOException | RuntimeException e) {
            throw new SerializationException(
                    "Could not Avro-encode " + schema.getFullName() + " for topic " + topic, e);
        }
        return scratch.out.toByteArray();
    }

    /**
     * A thread's reusable output: the buffer (grown to the largest record the thread wrote, at most {@link
     * #KEPT_BYTES} kept between records) and a buffered encoder over it.
     */
    private static final class Scratch {
        private final byte[] header = new byte[ConfluentWireFormat.HEADER_SIZE];
        private final Output out = new Output();
        private BinaryEncoder encoder;
    }

    /** Kept between records; a thread that wrote a larger one starts the next in a new buffer. */
    private static final int KEPT_BYTES = 1 << 20;

    /** An unsynchronized byte array output: one thread writes it. */
    private static final class Output extends java.io.OutputStream {
        private byte[] bytes = new byte[1024];
        private int size;

        void reset() {
            if (bytes.length > KEPT_BYTES) {
                bytes = new byte[1024];
            }
            size = 0;
        }

        @Override
        public void write(int b) {
            ensure(1);
            bytes[size++] = (byte) b;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            ensure(len);
            System.arraycopy(b, off, bytes, size, len);
            size += len;
        }

        private void ensure(int more) {
            if (size + more > bytes.length) {
                bytes = java.util.Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + more));
            }
        }

        byte[] toByteArray() {
            return java.util.Arrays.copyOf(bytes, size);
        }
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);
}
