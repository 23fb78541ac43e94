package io.sluice.embedded.registry;

import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.ExecutionException;
import org.apache.avro.Schema;
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
            int reloaded = topic.load(store);
            unsure = false;
            log.info("Embedded schema registry re-read {} schema versions after a failed write", reloaded);
        }
        var existing = store.find(subject, schema);
        if (existing.isPresent()) {
            return existing.get().id();
        }
        var latest = store.latest(subject);
        List<String> problems = problems(subject, schema);
        if (!problems.isEmpty()) {
            throw RegistryError.incompatible(subject, problems.toString());
        }
        // the same schema under another subject keeps its global id, as in Confluent's registry
        OptionalInt known = store.idOf(schema);
        int id = known.isPresent() ? known.getAsInt() : store.nextId();
        SchemaRecord record = new SchemaRecord(subject, latest.map(l -> l.version() + 1).orElse(1), id, schema);
        write(record.keyJson(), record.valueJson());
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

    /** Why {@code schemaJson} may not be the next version of {@code subject} under its level; empty if it may. */
    List<String> problems(String subject, String schemaJson) {
        Schema candidate = parse(schemaJson);
        List<Schema> versions = store.versions(subject).stream().map(v -> parse(v.schema())).toList();
        return store.compatibility(subject).problems(candidate, versions);
    }

    /** Whether {@code schemaJson} may follow version {@code version} of {@code subject} under its level. */
    List<String> problemsAgainst(String subject, int version, String schemaJson) {
        Schema candidate = parse(schemaJson);
        Schema against = parse(store.version(subject, version)
                .orElseThrow(() -> RegistryError.versionNotFound(subject, version)).schema());
        Compatibility level = store.compatibility(subject);
        // a check against one version is a check against it alone, transitive or not
        return level.problems(candidate, List.of(against));
    }

    /** Sets ({@code level} present) or deletes the compatibility level of {@code subject} ("" global). */
    synchronized void setConfig(String subject, Optional<Compatibility> level) {
        write(Compatibility.keyJson(subject.isEmpty() ? null : subject),
                level.map(Compatibility::valueJson).orElse(null));
        store.applyConfig(subject, level);
        log.info("Embedded schema registry set the compatibility of {} to {}", subject.isEmpty() ? "the registry"
                : "subject '" + subject + "'", level.map(Enum::name).orElse("(deleted)"));
    }

    /** Writes one record to the topic; a failure may still have landed, so the state is re-read before the next. */
    private void write(String key, String value) {
        try {
            topic.append(key, value);
        } catch (ExecutionException e) {
            unsure = true;
            throw RegistryError.storeFailed(topic.name(), e.getCause());
        } catch (InterruptedException e) {
            unsure = true;
            Thread.currentThread().interrupt();
            throw RegistryError.storeFailed(topic.name(), e);
        }
    }
}
