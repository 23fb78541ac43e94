package io.sluice.serde;

import io.sluice.registry.SchemaRegistryClient;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Reads Confluent-wire Avro with the writer's own schema, fetched by the id in the payload, into a
 * {@link GenericRecord}: for readers that do not know Sluice's classes (a Kafka Connect converter). Held to
 * {@link DecodeLimits} like {@link SpecificAvroDeserializer}.
 */
public final class GenericAvroDeserializer implements Deserializer<GenericRecord> {
    private final SchemaRegistryClient registry;
    private final DecodeLimits limits;
    private final ConcurrentHashMap<Integer, GenericDatumReader<GenericRecord>> readers = new ConcurrentHashMap<>();

    public GenericAvroDeserializer(SchemaRegistryClient registry, DecodeLimits limits) {
        this.registry = registry;
        this.limits = limits;
    }

    @Override
    public GenericRecord deserialize(String topic, byte[] data) {
        if (data == null) {
            return null;
        }
        if (data.length > limits.maxRecordBytes()) {
            throw new SerializationException("A record on " + topic + " is " + data.length + " bytes, more than the "
                    + limits.maxRecordBytes() + " allowed");
        }
        ByteBuffer buffer = ByteBuffer.wrap(data);
        int id = ConfluentWireFormat.readSchemaId(buffer);
        GenericDatumReader<GenericRecord> reader = readers.computeIfAbsent(id,
                schemaId -> new GenericDatumReader<>(registry.schemaById(schemaId)));
        if (DecodeLimits.depth(reader.getSchema()) > limits.maxSchemaDepth()) {
            throw new SerializationException("Schema id " + id + " nests deeper than " + limits.maxSchemaDepth()
                    + " levels or is recursive");
        }
        try {
            return BoundedDecoder.readWhole(reader, data, buffer.position(), limits);
        } catch (IOException | RuntimeException | StackOverflowError e) {
            throw new SerializationException("Could not Avro-decode a record written with schema id " + id
                    + " from topic " + topic + ": " + e.getMessage(), e);
        }
    }
}
