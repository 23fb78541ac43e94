package io.sluice.serde;

import io.sluice.registry.SchemaRegistryClient;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.io.DatumReader;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Reads Confluent-wire Avro into a SpecificRecord class: the writer's schema is fetched by the id in the payload
 * and resolved against the class's schema, so records written with an older or newer compatible schema are read.
 * Nothing in the bytes is trusted: the record's size, every length and count in it and its writer schema's nesting
 * are held to {@link DecodeLimits} before anything is allocated, so hostile bytes fail as a
 * {@link SerializationException} (a dead letter) instead of exhausting the heap or the stack.
 */
public final class SpecificAvroDeserializer<T extends SpecificRecord> implements Deserializer<T> {
    private final SchemaRegistryClient registry;
    private final Schema readerSchema;
    private final DecodeLimits limits;
    private final ConcurrentHashMap<Integer, DatumReader<T>> readers = new ConcurrentHashMap<>();

    public SpecificAvroDeserializer(SchemaRegistryClient registry, Class<T> type) {
        this(registry, type, DecodeLimits.DEFAULT);
    }

    public SpecificAvroDeserializer(SchemaRegistryClient registry, Class<T> type, DecodeLimits limits) {
        this.registry = registry;
        this.readerSchema = SpecificData.get().getSchema(type);
        this.limits = limits;
    }

    @Override
    public T deserialize(String topic, byte[] data) {
        if (data == null) {
            return null;
        }
        if (data.length > limits.maxRecordBytes()) {
            throw new SerializationException("A " + readerSchema.getName() + " record on " + topic + " is "
                    + data.length + " bytes, more than the " + limits.maxRecordBytes() + " allowed");
        }
        ByteBuffer buffer = ByteBuffer.wrap(data);
        int id = ConfluentWireFormat.readSchemaId(buffer);
        DatumReader<T> reader = readers.computeIfAbsent(id, this::readerFor);
        try {
            return BoundedDecoder.readWhole(reader, data, buffer.position(), limits);
        } catch (IOException | RuntimeException | StackOverflowError e) {
            throw new SerializationException("Could not Avro-decode a " + readerSchema.getFullName()
                    + " written with schema id " + id + " from topic " + topic + ": " + e.getMessage(), e);
        }
    }

    private DatumReader<T> readerFor(int schemaId) {
        Schema writer = registry.schemaById(schemaId);
        int depth = DecodeLimits.depth(writer);
        if (depth > limits.maxSchemaDepth()) {
            throw new SerializationException("Schema id " + schemaId + " (" + writer.getFullName() + ") "
                    + (depth == Integer.MAX_VALUE ? "is recursive" : "nests " + depth + " levels deep")
                    + "; at most " + limits.maxSchemaDepth() + " levels are read");
        }
        return new SpecificDatumReader<>(writer, readerSchema, SpecificData.getForSchema(readerSchema));
    }
}
