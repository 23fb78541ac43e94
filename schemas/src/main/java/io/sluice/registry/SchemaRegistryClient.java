package io.sluice.registry;

import org.apache.avro.Schema;

/** The part of the Confluent Schema Registry API the serdes need. Implementations cache; calls are thread-safe. */
public interface SchemaRegistryClient {

    /** Registers {@code schema} under {@code subject} (or finds it there) and returns its global id. */
    int register(String subject, Schema schema);

    /** The schema with this global id. */
    Schema schemaById(int id);
}
