package io.sluice.serde;

import io.sluice.registry.SchemaRegistryClient;
import io.sluice.registry.SchemaRegistryException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;

/** The registry at the edge of the serde unit tests: ids handed out from a chosen first id, kept in memory. */
final class InMemorySchemaRegistry implements SchemaRegistryClient {
    private final Map<Integer, Schema> schemasById = new ConcurrentHashMap<>();
    private final Map<Schema, Integer> idsBySchema = new ConcurrentHashMap<>();
    private final List<String> subjects = new ArrayList<>();
    private int nextId;

    InMemorySchemaRegistry(int firstId) {
        this.nextId = firstId;
    }

    /** Makes {@code schema} known under {@code id}, as if registered by another, perhaps older, writer. */
    InMemorySchemaRegistry with(int id, Schema schema) {
        schemasById.put(id, schema);
        idsBySchema.putIfAbsent(schema, id);
        return this;
    }

    @Override
    public synchronized int register(String subject, Schema schema) {
        subjects.add(subject);
        return idsBySchema.computeIfAbsent(schema, s -> {
            schemasById.put(nextId, s);
            return nextId++;
        });
    }

    @Override
    public Schema schemaById(int id) {
        Schema schema = schemasById.get(id);
        if (schema == null) {
            throw new SchemaRegistryException("Schema " + id + " not found", 404, 40403);
        }
        return schema;
    }

    /** Subjects passed to {@link #register}, in call order. */
    synchronized List<String> registeredSubjects() {
        return List.copyOf(subjects);
    }
}
