package io.sluice.embedded.registry;

import java.util.OptionalInt;
import java.util.concurrent.ExecutionException;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.apache.avro.SchemaCompatibility.SchemaPairCompatibility;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registers schemas: finds an existing version, checks BACKWARD compatibility with the latest one, assigns ids
 * and stores the new version in the topic before it becomes visible. Blocks on Kafka, so it runs off the event
 * loop, and one registration at a time, so two concurrent requests can never take the same id or version.
 */
final class SchemaRegistrar {
    private static final Logger log = LoggerFactory.getLogger(SchemaRegistrar.class);

    private final SchemaStore store;
    private final SchemaTopic topic;
    /** A failed write may still have landed (a lost acknowledgement); re-read before trusting the state again. */
    private boolean unsure;

    SchemaRegistrar(SchemaStore store, SchemaTopic topic) {
        this.store = store;
        this.topic = topic;
    }

    /** Returns the global id of {@code schemaJson} under {@code subject}, registering a new version if needed. */
    synchronized int register(String subject, String schemaJson) {
        String schema = normalize(schemaJson);
        if (unsure) {
            int reloaded = topic.load(store::apply);
            unsure = false;
            log.info("Embedded schema registry re-read {} schema versions after a failed write", reloaded);
        }
        var existing = store.find(subject, schema);
        if (existing.isPresent()) {
            return existing.get().id();
        }
        var latest = store.latest(subject);
        latest.ifPresent(l -> requireBackwardCompatible(subject, parse(schema), parse(l.schema())));
        // the same schema under another subject keeps its global id, as in Confluent's registry
        OptionalInt known = store.idOf(schema);
        int id = known.isPresent() ? known.getAsInt() : store.nextId();
        SchemaRecord record = new SchemaRecord(subject, latest.map(l -> l.version() + 1).orElse(1), id, schema);
        try {
            topic.append(record);
        } catch (ExecutionException e) {
            unsure = true;
            throw RegistryError.storeFailed(topic.name(), e.getCause());
        } catch (InterruptedException e) {
            unsure = true;
            Thread.currentThread().interrupt();
            throw RegistryError.storeFailed(topic.name(), e);
        }
        store.apply(record);
        log.info("Embedded schema registry registered subject '{}' version {} as schema id {}",
                subject, record.version(), id);
        return id;
    }

    /**
     * The schema's identity: its normalized JSON, so whitespace and key order do not make a new schema while
     * docs, defaults and properties (which change what readers see) do, as in Confluent's registry.
     */
    static String normalize(String schemaJson) {
        return parse(schemaJson).toString();
    }

    private static Schema parse(String schemaJson) {
        try {
            return new Schema.Parser().parse(schemaJson);
        } catch (NullPointerException e) {
            // Avro 1.12 throws this, not a parse exception, when the top-level type is an undefined name
            throw RegistryError.invalidSchema("it names a type that is not defined: " + schemaJson);
        } catch (RuntimeException e) {
            // SchemaParseException for bad JSON or structure, AvroTypeException for undefined names and bad defaults
            throw RegistryError.invalidSchema(e.getMessage());
        }
    }

    /** BACKWARD: a reader on the new schema must read everything written with the latest version. */
    private static void requireBackwardCompatible(String subject, Schema candidate, Schema latest) {
        SchemaPairCompatibility result = SchemaCompatibility.checkReaderWriterCompatibility(candidate, latest);
        if (result.getType() != SchemaCompatibilityType.COMPATIBLE) {
            throw RegistryError.incompatible(subject, result.getResult().getIncompatibilities().stream()
                    .map(i -> "{errorType:'" + i.getType() + "', location:'" + i.getLocation()
                            + "', description:'" + i.getMessage() + "'}")
                    .toList().toString());
        }
    }
}
