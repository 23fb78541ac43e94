package io.sluice.registry;

import java.util.HashMap;
import java.util.Map;
import org.apache.avro.Schema;

/**
 * A registry held in memory, for unit tests that drive the topology with TopologyTestDriver (the counterpart of
 * Confluent's MockSchemaRegistryClient), and for building the topology only to check a configuration. Same schema,
 * same id, whatever the subject; no compatibility checks.
 */
public final class InMemorySchemaRegistryClient implements SchemaRegistryClient {
    private final Map<Schema, Integer> ids = new HashMap<>();
    private final Map<Integer, Schema> schemas = new HashMap<>();

    @Override
    public synchronized int register(String subject, Schema schema) {
        return ids.computeIfAbsent(schema, s -> {
            int id = ids.size() + 1;
            schemas.put(id, s);
            return id;
        });
    }

    @Override
    public synchronized Schema schemaById(int id) {
        Schema schema = schemas.get(id);
        if (schema == null) {
            throw new SchemaRegistryException("in-memory registry: schema " + id + " not found", 404, 40403);
        }
        return schema;
    }
}
