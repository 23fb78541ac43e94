package io.sluice.serde;

import io.sluice.registry.SchemaRegistryClient;
import java.io.ByteArrayOutputStream;
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
        int id = registry.register(ConfluentWireFormat.subject(topic, isKey), schema);
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        byte[] header = new byte[ConfluentWireFormat.HEADER_SIZE];
        ConfluentWireFormat.writeHeader(ByteBuffer.wrap(header), id);
        out.writeBytes(header);
        BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
        try {
            writers.computeIfAbsent(schema, SpecificDatumWriter::new).write(data, encoder);
            encoder.flush();
        } catch (IOException | RuntimeException e) {
            throw new SerializationException(
                    "Could not Avro-encode " + schema.getFullName() + " for topic " + topic, e);
        }
        return out.toByteArray();
    }
}
