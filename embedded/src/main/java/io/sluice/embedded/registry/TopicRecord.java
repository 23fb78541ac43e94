package io.sluice.embedded.registry;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Optional;

/**
 * A record of the registry's compacted topic, as the change it makes to the registry's state. Written by the one
 * writer and applied by every instance's reader in topic order, so all instances hold the same state. Keys are
 * JSON objects whose {@code keytype} says the kind; a kind this registry does not know is skipped on read.
 */
sealed interface TopicRecord {
    ObjectMapper JSON = new ObjectMapper();

    String key();

    /** The value, or null for a tombstone. */
    String value();

    /** A subject version registered, or rewritten (soft-deleted). */
    record Version(SchemaRecord version) implements TopicRecord {
        public String key() {
            return version.keyJson();
        }

        public String value() {
            return version.valueJson();
        }
    }

    /** A subject version deleted permanently: a tombstone for its key, so compaction forgets it. */
    record VersionRemoved(String subject, int version) implements TopicRecord {
        public String key() {
            return SchemaRecord.keyJson(subject, version);
        }

        public String value() {
            return null;
        }
    }

    /** A compatibility level set ({@code level} present) or deleted, for a subject or ("") the registry. */
    record Level(String subject, Optional<Compatibility> level) implements TopicRecord {
        public String key() {
            return Compatibility.keyJson(subject.isEmpty() ? null : subject);
        }

        public String value() {
            return level.map(Compatibility::valueJson).orElse(null);
        }
    }

    /**
     * The highest id ever handed out, written with every permanent delete: once compaction drops a deleted
     * version, its id is no longer in the topic, and without this a restarted registry could give that id to
     * another schema while old records still carry it.
     */
    record IdFloor(int maxId) implements TopicRecord {
        static final String KEY = "{\"keytype\":\"MAX_ID\",\"magic\":0}";

        public String key() {
            return KEY;
        }

        public String value() {
            return JSON.createObjectNode().put("maxId", maxId).toString();
        }
    }

    /**
     * The instance that writes now, at {@code url}: written by each new writer, in its first transaction after
     * fencing the one before, so only a writer that really holds the role can have announced itself last. The
     * other instances forward changes there.
     */
    record Writer(String url) implements TopicRecord {
        static final String KEY = "{\"keytype\":\"WRITER\",\"magic\":0}";

        public String key() {
            return KEY;
        }

        public String value() {
            return JSON.createObjectNode().put("url", url).toString();
        }
    }

    /** What a topic record says; empty for kinds this registry does not know and values it cannot read. */
    static Optional<TopicRecord> parse(String key, String value) {
        if (key == null) {
            return Optional.empty();
        }
        try {
            JsonNode k = JSON.readTree(key);
            JsonNode v = value == null ? null : JSON.readTree(value);
            return switch (k.path("keytype").asText()) {
                case SchemaRecord.SCHEMA_KEY_TYPE -> v == null
                        ? Optional.of(new VersionRemoved(k.path("subject").asText(), k.path("version").asInt()))
                        : SchemaRecord.fromValue(v).map(Version::new);
                case Compatibility.CONFIG_KEY_TYPE -> Optional.of(new Level(
                        k.path("subject").isTextual() ? k.get("subject").asText() : "",
                        v == null ? Optional.empty()
                                : Optional.of(Compatibility.valueOf(v.path("compatibilityLevel").asText()))));
                case "MAX_ID" -> v == null ? Optional.empty() : Optional.of(new IdFloor(v.path("maxId").asInt()));
                case "WRITER" -> v == null || !v.path("url").isTextual() ? Optional.empty()
                        : Optional.of(new Writer(v.get("url").asText()));
                default -> Optional.empty();
            };
        } catch (JsonProcessingException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
