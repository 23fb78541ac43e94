package io.sluice.embedded.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One registered version of a subject, and its form in the registry's compacted topic. Both key and value are
 * UTF-8 JSON strings, the value in Confluent's {@code SchemaValue} shape:
 * <pre>
 * key:   {"keytype":"SCHEMA","subject":"orders-value","version":2}
 * value: {"subject":"orders-value","version":2,"id":7,"schema":"{\"type\":\"record\",...}","deleted":false,
 *         "references":[{"name":"io.acme.Money","subject":"money","version":1}]}
 * </pre>
 * The key names the subject version, so compaction keeps every version of every subject (keys are distinct) and
 * only collapses rewrites of the same version: a soft delete rewrites it with {@code "deleted":true}, a permanent
 * delete is a tombstone. The key is written with a fixed field order because compaction compares key bytes.
 *
 * @param schema     the schema's normalized JSON, which with its references is also its identity
 * @param references the named types it uses from other subject versions, in the order given at registration
 * @param deleted    soft-deleted: still served by id, hidden from subject listings unless asked for
 */
record SchemaRecord(String subject, int version, int id, String schema, List<Reference> references,
                    boolean deleted) {
    static final String SCHEMA_KEY_TYPE = "SCHEMA";
    private static final ObjectMapper JSON = new ObjectMapper();

    SchemaRecord {
        references = List.copyOf(references);
    }

    /** A named type defined by version {@code version} of {@code subject}, as Confluent's references name it. */
    record Reference(String name, String subject, int version) {
        ObjectNode json() {
            return JSON.createObjectNode().put("name", name).put("subject", subject).put("version", version);
        }
    }

    /** What makes two registrations the same schema: the normalized text and the references it resolves with. */
    record Identity(String schema, List<Reference> references) {}

    Identity identity() {
        return new Identity(schema, references);
    }

    SchemaRecord softDeleted() {
        return new SchemaRecord(subject, version, id, schema, references, true);
    }

    static String keyJson(String subject, int version) {
        return JSON.createObjectNode()
                .put("keytype", SCHEMA_KEY_TYPE)
                .put("subject", subject)
                .put("version", version)
                .toString();
    }

    String keyJson() {
        return keyJson(subject, version);
    }

    String valueJson() {
        ObjectNode value = JSON.createObjectNode()
                .put("subject", subject)
                .put("version", version)
                .put("id", id)
                .put("schema", schema)
                .put("deleted", deleted);
        if (!references.isEmpty()) {
            value.set("references", referencesJson(references));
        }
        return value.toString();
    }

    static ArrayNode referencesJson(List<Reference> references) {
        ArrayNode array = JSON.createArrayNode();
        references.forEach(r -> array.add(r.json()));
        return array;
    }

    /** The references of a JSON array of {"name","subject","version"}; empty for a missing array. */
    static List<Reference> referencesOf(JsonNode array) {
        List<Reference> references = new ArrayList<>();
        for (JsonNode r : array) {
            if (!r.path("name").isTextual() || !r.path("subject").isTextual() || !r.path("version").canConvertToInt()) {
                throw RegistryError.invalidSchema("a reference needs a \"name\", a \"subject\" and a \"version\","
                        + " but was " + r);
            }
            references.add(new Reference(r.get("name").asText(), r.get("subject").asText(), r.get("version").asInt()));
        }
        return references;
    }

    /** The version a topic value holds; empty when it is not one (a missing field, say). */
    static Optional<SchemaRecord> fromValue(JsonNode v) {
        if (!v.path("subject").isTextual() || !v.path("version").canConvertToInt()
                || !v.path("id").canConvertToInt() || !v.path("schema").isTextual()) {
            return Optional.empty();
        }
        try {
            return Optional.of(new SchemaRecord(v.get("subject").asText(), v.get("version").asInt(),
                    v.get("id").asInt(), v.get("schema").asText(), referencesOf(v.path("references")),
                    v.path("deleted").asBoolean(false)));
        } catch (RegistryError e) {
            return Optional.empty();
        }
    }
}
