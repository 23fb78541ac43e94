package io.sluice.embedded.registry;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.stream.Stream;

/**
 * The registry's state in memory: what the topic's records say, applied in topic order by one reader
 * ({@link #apply} is synchronized). Readers on the event loop never lock: they see maps that are concurrent and
 * per-subject version lists that are replaced, never changed in place.
 */
final class SchemaStore {
    /** Which versions a question is about, as Confluent's {@code deleted} and {@code deletedOnly} parameters say. */
    enum Lookup {
        LIVE, WITH_DELETED, DELETED_ONLY;

        static Lookup of(boolean deleted, boolean deletedOnly) {
            return deletedOnly ? DELETED_ONLY : deleted ? WITH_DELETED : LIVE;
        }

        boolean accepts(SchemaRecord v) {
            return switch (this) {
                case LIVE -> !v.deleted();
                case WITH_DELETED -> true;
                case DELETED_ONLY -> v.deleted();
            };
        }
    }

    // every version, soft-deleted ones included; sorted, so GET /subjects lists subjects in a stable order
    private final ConcurrentSkipListMap<String, List<SchemaRecord>> subjects = new ConcurrentSkipListMap<>();
    /** One version holding each id, for its schema text and references. */
    private final Map<Integer, SchemaRecord> byId = new ConcurrentHashMap<>();
    private final Map<SchemaRecord.Identity, Integer> idsBySchema = new ConcurrentHashMap<>();
    /** Compatibility levels by subject, "" for the global one. */
    private final Map<String, Compatibility> configs = new ConcurrentHashMap<>();
    private volatile int maxId;
    /** Where the writer announced itself last; null before any did. */
    private volatile String writer;

    synchronized void apply(TopicRecord record) {
        switch (record) {
            case TopicRecord.Version v -> put(v.version());
            case TopicRecord.VersionRemoved r -> remove(r.subject(), r.version());
            case TopicRecord.Level l -> {
                if (l.level().isPresent()) {
                    configs.put(l.subject(), l.level().get());
                } else {
                    configs.remove(l.subject());
                }
            }
            case TopicRecord.IdFloor f -> maxId = Math.max(maxId, f.maxId());
            case TopicRecord.Writer w -> writer = w.url();
        }
    }

    private void put(SchemaRecord record) {
        byId.putIfAbsent(record.id(), record);
        // the lowest id wins should the topic ever hold one schema under two ids, so lookups stay stable
        idsBySchema.merge(record.identity(), record.id(), Math::min);
        List<SchemaRecord> versions = new ArrayList<>(subjects.getOrDefault(record.subject(), List.of()));
        versions.removeIf(v -> v.version() == record.version());
        versions.add(record);
        versions.sort(Comparator.comparingInt(SchemaRecord::version));
        subjects.put(record.subject(), List.copyOf(versions));
        maxId = Math.max(maxId, record.id());
    }

    /** Forgets a version; its id goes too once no other version holds it (a permanent delete). */
    private void remove(String subject, int version) {
        List<SchemaRecord> versions = subjects.getOrDefault(subject, List.of());
        Optional<SchemaRecord> gone = versions.stream().filter(v -> v.version() == version).findFirst();
        if (gone.isEmpty()) {
            return;
        }
        List<SchemaRecord> left = versions.stream().filter(v -> v.version() != version).toList();
        if (left.isEmpty()) {
            subjects.remove(subject);
        } else {
            subjects.put(subject, left);
        }
        int id = gone.get().id();
        Optional<SchemaRecord> holder = all().filter(v -> v.id() == id).findFirst();
        if (holder.isPresent()) {
            byId.put(id, holder.get());
        } else {
            byId.remove(id);
            idsBySchema.remove(gone.get().identity(), id);
        }
    }

    private Stream<SchemaRecord> all() {
        return subjects.values().stream().flatMap(List::stream);
    }

    /** The URL of the instance that writes, as it last announced itself in the topic. */
    Optional<String> writer() {
        return Optional.ofNullable(writer);
    }

    /** The level set for {@code subject} ("" global), if any. */
    Optional<Compatibility> config(String subject) {
        return Optional.ofNullable(configs.get(subject));
    }

    /** The level a registration under {@code subject} is checked with: its own, else the global, else BACKWARD. */
    Compatibility compatibility(String subject) {
        return config(subject).or(() -> config("")).orElse(Compatibility.DEFAULT);
    }

    /** A version holding schema {@code id}, soft-deleted or not: ids stay readable until deleted permanently. */
    Optional<SchemaRecord> byId(int id) {
        return Optional.ofNullable(byId.get(id));
    }

    /** The global id of a schema (normalized JSON and references) under any subject. */
    OptionalInt idOf(SchemaRecord.Identity schema) {
        Integer id = idsBySchema.get(schema);
        return id == null ? OptionalInt.empty() : OptionalInt.of(id);
    }

    /** Ids are never reused: the next one is one past the highest ever stored. */
    int nextId() {
        return maxId + 1;
    }

    int maxId() {
        return maxId;
    }

    /** Subjects with at least one version {@code lookup} accepts. */
    List<String> subjects(Lookup lookup) {
        return subjects.entrySet().stream().filter(e -> e.getValue().stream().anyMatch(lookup::accepts))
                .map(Map.Entry::getKey).toList();
    }

    /** Versions of a subject that {@code lookup} accepts, oldest first; empty when there are none. */
    List<SchemaRecord> versions(String subject, Lookup lookup) {
        return subjects.getOrDefault(subject, List.of()).stream().filter(lookup::accepts).toList();
    }

    /** The latest version that is not deleted, as Confluent's {@code latest} means. */
    Optional<SchemaRecord> latest(String subject) {
        List<SchemaRecord> versions = versions(subject, Lookup.LIVE);
        return versions.isEmpty() ? Optional.empty() : Optional.of(versions.getLast());
    }

    Optional<SchemaRecord> version(String subject, int version, Lookup lookup) {
        return versions(subject, lookup).stream().filter(v -> v.version() == version).findFirst();
    }

    /** The version of {@code subject} holding exactly this schema, if any; the latest such when several do. */
    Optional<SchemaRecord> find(String subject, SchemaRecord.Identity schema, Lookup lookup) {
        return versions(subject, lookup).reversed().stream().filter(v -> v.identity().equals(schema)).findFirst();
    }

    /** Every subject version that uses schema {@code id}. */
    List<SchemaRecord> usesOf(int id, Lookup lookup) {
        return all().filter(v -> v.id() == id && lookup.accepts(v)).toList();
    }

    /** The ids of schemas whose references name version {@code version} of {@code subject}, ascending. */
    List<Integer> referencedBy(String subject, int version, Lookup lookup) {
        return referrers(subject, version, lookup).map(SchemaRecord::id).distinct().sorted().toList();
    }

    /** The subjects whose versions reference version {@code version} of {@code subject}. */
    List<String> referencingSubjects(String subject, int version, Lookup lookup) {
        return referrers(subject, version, lookup).map(SchemaRecord::subject).distinct().toList();
    }

    private Stream<SchemaRecord> referrers(String subject, int version, Lookup lookup) {
        return all().filter(lookup::accepts).filter(v -> v.references().stream()
                .anyMatch(r -> r.subject().equals(subject) && r.version() == version));
    }
}
