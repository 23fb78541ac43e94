package io.sluice.embedded.registry;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * The registry's state in memory, rebuilt from the topic at start-up and then kept in step with every write.
 * One writer at a time ({@link #apply} is synchronized); readers on the event loop never lock: they see maps
 * that are concurrent and per-subject version lists that are replaced, never changed in place.
 */
final class SchemaStore {
    private final Map<Integer, String> schemasById = new ConcurrentHashMap<>();
    private final Map<String, Integer> idsBySchema = new ConcurrentHashMap<>();
    // sorted, so GET /subjects lists subjects in a stable order
    private final ConcurrentSkipListMap<String, List<SchemaRecord>> subjects = new ConcurrentSkipListMap<>();
    private volatile int maxId;
    /** Compatibility levels by subject, "" for the global one. */
    private final Map<String, Compatibility> configs = new ConcurrentHashMap<>();

    /** Adds one subject version; a version already present is replaced (a rewrite of the same key). */
    synchronized void apply(SchemaRecord record) {
        schemasById.putIfAbsent(record.id(), record.schema());
        // the lowest id wins should the topic ever hold one schema under two ids, so lookups stay stable
        idsBySchema.merge(record.schema(), record.id(), Math::min);
        List<SchemaRecord> versions = new ArrayList<>(subjects.getOrDefault(record.subject(), List.of()));
        versions.removeIf(v -> v.version() == record.version());
        versions.add(record);
        versions.sort((a, b) -> Integer.compare(a.version(), b.version()));
        subjects.put(record.subject(), List.copyOf(versions));
        maxId = Math.max(maxId, record.id());
    }

    /** Sets ({@code level} present) or removes a subject's ("" global) compatibility level. */
    synchronized void applyConfig(String subject, Optional<Compatibility> level) {
        if (level.isPresent()) {
            configs.put(subject, level.get());
        } else {
            configs.remove(subject);
        }
    }

    /** The level set for {@code subject} ("" global), if any. */
    Optional<Compatibility> config(String subject) {
        return Optional.ofNullable(configs.get(subject));
    }

    /** The level a registration under {@code subject} is checked with: its own, else the global, else BACKWARD. */
    Compatibility compatibility(String subject) {
        return config(subject).or(() -> config("")).orElse(Compatibility.DEFAULT);
    }

    Optional<String> schema(int id) {
        return Optional.ofNullable(schemasById.get(id));
    }

    /** The global id of a schema (normalized JSON) under any subject. */
    OptionalInt idOf(String schema) {
        Integer id = idsBySchema.get(schema);
        return id == null ? OptionalInt.empty() : OptionalInt.of(id);
    }

    /** Ids are never reused: the next one is one past the highest ever stored. */
    int nextId() {
        return maxId + 1;
    }

    List<String> subjects() {
        return List.copyOf(subjects.keySet());
    }

    /** Versions of a subject, oldest first; empty when the subject is unknown. */
    List<SchemaRecord> versions(String subject) {
        return subjects.getOrDefault(subject, List.of());
    }

    Optional<SchemaRecord> latest(String subject) {
        List<SchemaRecord> versions = versions(subject);
        return versions.isEmpty() ? Optional.empty() : Optional.of(versions.getLast());
    }

    Optional<SchemaRecord> version(String subject, int version) {
        return versions(subject).stream().filter(v -> v.version() == version).findFirst();
    }

    /** The version of {@code subject} holding exactly this schema, if any. */
    Optional<SchemaRecord> find(String subject, String schema) {
        return versions(subject).stream().filter(v -> v.schema().equals(schema)).findFirst();
    }

    /** Every subject version that uses schema {@code id}. */
    List<SchemaRecord> usesOf(int id) {
        return subjects.values().stream().flatMap(List::stream).filter(v -> v.id() == id).toList();
    }
}
