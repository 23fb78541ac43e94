package io.sluice.serde;

import io.sluice.registry.SchemaRegistryClient;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/** Serde for Avro SpecificRecords in the Confluent wire format. */
public final class SpecificAvroSerde {
    private SpecificAvroSerde() {}

    public static <T extends SpecificRecord> Serde<T> forValues(SchemaRegistryClient registry, Class<T> type) {
        return forValues(registry, type, DecodeLimits.DEFAULT);
    }

    /** A serde whose deserializer holds each record to {@code limits}: for topics anyone may write to. */
    public static <T extends SpecificRecord> Serde<T> forValues(SchemaRegistryClient registry, Class<T> type,
                                                                DecodeLimits limits) {
        return Serdes.serdeFrom(new SpecificAvroSerializer<>(registry, false),
                new SpecificAvroDeserializer<>(registry, type, limits));
    }
}
