package io.sluice.serde;

import io.sluice.registry.SchemaRegistryClient;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Reads Confluent-wire Avro into a SpecificRecord class: the writer's schema is fetched by the id in the payload
 * and resolved against the class's schema, so records written with an older or newer compatible schema are read.
 */
public final class SpecificAvroDeserializer<T extends SpecificRecord> implements Deserializer<T> {
    private final SchemaRegistryClient registry;
    private final Schema readerSchema;
    private final ConcurrentHashMap<Integer, DatumReader<T>> readers = new ConcurrentHashMap<>();

    public SpecificAvroDeserializer(SchemaRegistryClient registry, Class<T> type) {
        this.registry = registry;
        this.readerSchema = SpecificData.get().getSchema(type);
    }

    @Override
    public T deserialize(String topic, byte[] data) {
        if (data == null) {
            return null;
        }
        ByteBuffer buffer = ByteBuffer.wrap(data);
        int id = ConfluentWireFormat.readSchemaId(buffer);
        DatumReader<T> reader = readers.computeIfAbsent(id, this::readerFor);
        BinaryDecoder decoder = DecoderFactory.get()
                .binaryDecoder(data, buffer.position(), buffer.remaining(), null);
        try {
            return reader.read(null, decoder);
        } catch (IOException | RuntimeException e) {
            throw new SerializationException("Could not Avro-decode a " + readerSchema.getFullName()
                    + " written with schema id " + id + " from topic " + topic, e);
        }
    }

    private DatumReader<T> readerFor(int schemaId) {
        Schema writer = registry.schemaById(schemaId);
        return new SpecificDatumReader<>(writer, readerSchema, SpecificData.getForSchema(readerSchema));
    }
}
