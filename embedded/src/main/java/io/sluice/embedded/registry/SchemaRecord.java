package io.sluice.embedded.registry;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Optional;

/**
 * One registered version of a subject, and its form in the registry's compacted topic. Both key and value are
 * UTF-8 JSON strings:
 * <pre>
 * key:   {"keytype":"SCHEMA","subject":"orders-value","version":2}
 * value: {"subject":"orders-value","version":2,"id":7,"schema":"{\"type\":\"record\",...}"}
 * </pre>
 * The key names the subject version, so compaction keeps every version of every subject (keys are distinct) and
 * only collapses rewrites of the same version. The key is written with a fixed field order because compaction
 * compares key bytes. {@code keytype} leaves room for other record kinds (per-subject config, say); records of an
 * unknown kind, tombstones and unreadable records are skipped on load.
 *
 * @param schema the schema's normalized JSON ({@code Schema.toString()}), which is also its identity
 */
record SchemaRecord(String subject, int version, int id, String schema) {
    static final String SCHEMA_KEY_TYPE = "SCHEMA";
    private static final ObjectMapper JSON = new ObjectMapper();

    String keyJson() {
        return JSON.createObjectNode()
                .put("keytype", SCHEMA_KEY_TYPE)
                .put("subject", subject)
                .put("version", version)
                .toString();
    }

    String valueJson() {
        return JSON.createObjectNode()
                .put("subject", subject)
                .put("version", version)
                .put("id", id)
                .put("schema", schema)
                .toString();
    }

    /** The record a topic entry holds; empty for tombstones and entries that are not schema versions. */
    static Optional<SchemaRecord> fromTopic(String key, String value) {
        if (key == null || value == null) {
            return Optional.empty();
        }
        try {
            JsonNode k = JSON.readTree(key);
            if (!SCHEMA_KEY_TYPE.equals(k.path("keytype").asText())) {
                return Optional.empty();
            }
            JsonNode v = JSON.readTree(value);
            if (!v.path("subject").isTextual() || !v.path("version").canConvertToInt()
                    || !v.path("id").canConvertToInt() || !v.path("schema").isTextual()) {
                return Optional.empty();
            }
            return Optional.of(new SchemaRecord(v.get("subject").asText(), v.get("version").asInt(),
                    v.get("id").asInt(), v.get("schema").asText()));
        } catch (JsonProcessingException e) {
            return Optional.empty();
        }
    }
}
