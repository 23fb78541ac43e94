package io.sluice.embedded.registry;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.ExecutionException;
import org.apache.avro.Schema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The registry's writes, with Confluent's rules: registration (an existing version, a compatibility check, a new id
 * or the same schema's id), soft and permanent deletes, and levels. Each decides on the state as read so far,
 * writes its records as one transaction and returns once this instance's reader has applied them. Blocks on Kafka,
 * so it runs off the event loop, and one change at a time, so two requests can never take the same id or version.
 */
final class SchemaRegistrar {
    private static final Logger log = LoggerFactory.getLogger(SchemaRegistrar.class);
    private static final Duration APPLY_TIMEOUT = Duration.ofSeconds(30);

    private final SchemaStore store;
    private final TopicWriter writer;
    private final TopicReader reader;
    private final String topic;
    /** A failed write may still have landed (a lost acknowledgement); read to the end before trusting the state. */
    private boolean unsure;

    SchemaRegistrar(SchemaStore store, TopicWriter writer, TopicReader reader, String topic) {
        this.store = store;
        this.writer = writer;
        this.reader = reader;
        this.topic = topic;
    }

    /** Returns the global id of the schema under {@code subject}, registering a new version if needed. */
    synchronized int register(String subject, String schemaJson, List<SchemaRecord.Reference> references) {
        settle();
        AvroSchemas.Parsed parsed = AvroSchemas.parse(schemaJson, references, store);
        var existing = store.find(subject, parsed.identity(), SchemaStore.Lookup.LIVE);
        if (existing.isPresent()) {
            return existing.get().id();
        }
        List<String> problems = store.compatibility(subject).problems(parsed.schema(), live(subject));
        if (!problems.isEmpty()) {
            throw RegistryError.incompatible(subject, problems.toString());
        }
        // the same schema under another subject, or soft-deleted here, keeps its global id, as in Confluent's
        OptionalInt known = store.idOf(parsed.identity());
        int id = known.isPresent() ? known.getAsInt() : store.nextId();
        List<SchemaRecord> all = store.versions(subject, SchemaStore.Lookup.WITH_DELETED);
        int version = all.isEmpty() ? 1 : all.getLast().version() + 1;
        List<TopicRecord> records = new ArrayList<>();
        // a soft-deleted earlier version of this very schema is replaced by the new one, as Confluent does,
        // unless something still references it
        all.stream().filter(v -> v.deleted() && v.id() == id)
                .filter(v -> store.referencedBy(subject, v.version(), SchemaStore.Lookup.WITH_DELETED).isEmpty())
                .forEach(v -> records.add(new TopicRecord.VersionRemoved(subject, v.version())));
        records.add(new TopicRecord.Version(new SchemaRecord(subject, version, id, parsed.normalized(),
                parsed.references(), false)));
        write(records);
        log.info("Schema registry registered subject '{}' version {} as schema id {}", subject, version, id);
        return id;
    }

    /** Deletes every version of {@code subject}: soft (hidden, ids kept) or, after that, permanently. */
    synchronized List<Integer> deleteSubject(String subject, boolean permanent) {
        settle();
        if (store.versions(subject, SchemaStore.Lookup.WITH_DELETED).isEmpty()) {
            throw RegistryError.subjectNotFound(subject);
        }
        if (!permanent && store.versions(subject, SchemaStore.Lookup.LIVE).isEmpty()) {
            throw RegistryError.subjectSoftDeleted(subject);
        }
        SchemaStore.Lookup scope = permanent ? SchemaStore.Lookup.WITH_DELETED : SchemaStore.Lookup.LIVE;
        List<SchemaRecord> versions = store.versions(subject, scope);
        for (SchemaRecord v : versions) {
            // a subject may reference its own versions; only other subjects' references hold it back
            if (store.referencingSubjects(subject, v.version(), scope).stream().anyMatch(s -> !s.equals(subject))) {
                throw RegistryError.referenceExists(subject, v.version());
            }
            if (permanent && !v.deleted()) {
                throw RegistryError.subjectNotSoftDeleted(subject);
            }
        }
        List<TopicRecord> records = new ArrayList<>();
        if (permanent) {
            versions.reversed().forEach(v -> records.add(new TopicRecord.VersionRemoved(subject, v.version())));
            records.addAll(forgetting(subject));
        } else {
            versions.forEach(v -> records.add(new TopicRecord.Version(v.softDeleted())));
        }
        write(records);
        log.info("Schema registry deleted subject '{}' ({}), versions {}", subject,
                permanent ? "permanently" : "soft", versions.stream().map(SchemaRecord::version).toList());
        return versions.stream().map(SchemaRecord::version).toList();
    }

    /** Deletes one version ({@code latest}: the latest not deleted), soft or, after that, permanently. */
    synchronized int deleteVersion(String subject, String version, boolean permanent) {
        settle();
        Optional<SchemaRecord> found = Versions.find(store, subject, version, SchemaStore.Lookup.WITH_DELETED);
        if (!permanent && found.filter(SchemaRecord::deleted).isPresent()) {
            throw RegistryError.versionSoftDeleted(subject, version);
        }
        SchemaRecord target = found.orElseThrow(() ->
                store.versions(subject, SchemaStore.Lookup.WITH_DELETED).isEmpty()
                        ? RegistryError.subjectNotFound(subject)
                        : RegistryError.versionNotFound(subject, Versions.number(version)));
        SchemaStore.Lookup referrers = permanent ? SchemaStore.Lookup.WITH_DELETED : SchemaStore.Lookup.LIVE;
        if (!store.referencedBy(subject, target.version(), referrers).isEmpty()) {
            throw RegistryError.referenceExists(subject, target.version());
        }
        if (permanent && !target.deleted()) {
            throw RegistryError.versionNotSoftDeleted(subject, target.version());
        }
        List<TopicRecord> records = new ArrayList<>();
        if (permanent) {
            records.add(new TopicRecord.VersionRemoved(subject, target.version()));
            if (store.versions(subject, SchemaStore.Lookup.WITH_DELETED).size() == 1) {
                records.addAll(forgetting(subject));
            }
        } else {
            records.add(new TopicRecord.Version(target.softDeleted()));
        }
        write(records);
        log.info("Schema registry deleted subject '{}' version {} ({})", subject, target.version(),
                permanent ? "permanently" : "soft");
        return target.version();
    }

    /** What a subject's last permanent delete also writes: the id floor, and its level gone with it. */
    private List<TopicRecord> forgetting(String subject) {
        List<TopicRecord> records = new ArrayList<>();
        records.add(new TopicRecord.IdFloor(store.maxId()));
        if (store.config(subject).isPresent()) {
            records.add(new TopicRecord.Level(subject, Optional.empty()));
        }
        return records;
    }

    /** Tells every instance that changes go to {@code url} from now on. */
    synchronized void announce(String url) {
        write(List.of(new TopicRecord.Writer(url)));
    }

    /** Sets ({@code level} present) or deletes the compatibility level of {@code subject} ("" global). */
    synchronized void setConfig(String subject, Optional<Compatibility> level) {
        settle();
        write(List.of(new TopicRecord.Level(subject, level)));
        log.info("Schema registry set the compatibility of {} to {}", subject.isEmpty() ? "the registry"
                : "subject '" + subject + "'", level.map(Enum::name).orElse("(deleted)"));
    }

    private List<Schema> live(String subject) {
        return store.versions(subject, SchemaStore.Lookup.LIVE).stream()
                .map(v -> AvroSchemas.parse(v, store).schema()).toList();
    }

    private void settle() {
        if (unsure) {
            reader.catchUp(APPLY_TIMEOUT);
            unsure = false;
            log.info("Schema registry re-read topic {} after a failed write", topic);
        }
    }

    /** Writes one change and waits until this instance has applied it, so the answer reflects it. */
    private void write(List<TopicRecord> records) {
        try {
            long offset = writer.write(records);
            reader.awaitApplied(offset, APPLY_TIMEOUT);
        } catch (ExecutionException e) {
            unsure = true;
            throw RegistryError.storeFailed(topic, e.getCause());
        } catch (InterruptedException e) {
            unsure = true;
            Thread.currentThread().interrupt();
            throw RegistryError.storeFailed(topic, e);
        } catch (RuntimeException e) {
            unsure = true;
            throw e;
        }
    }
}
