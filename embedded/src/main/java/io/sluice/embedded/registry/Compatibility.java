package io.sluice.embedded.registry;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;

/**
 * Confluent's compatibility levels, how a candidate schema is checked against a subject's versions under one, and
 * their records in the registry's topic: key {@code {"keytype":"CONFIG","subject":"orders-value","magic":0}} (subject
 * null for the global level), value {@code {"compatibilityLevel":"FULL"}}, a tombstone when deleted.
 */
enum Compatibility {
    NONE, BACKWARD, BACKWARD_TRANSITIVE, FORWARD, FORWARD_TRANSITIVE, FULL, FULL_TRANSITIVE;

    static final Compatibility DEFAULT = BACKWARD;
    static final String CONFIG_KEY_TYPE = "CONFIG";
    private static final ObjectMapper JSON = new ObjectMapper();

    static Compatibility parse(String level) {
        try {
            return valueOf(level == null ? "" : level.strip().toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new RegistryError(422, 42203, "Invalid compatibility level. Valid values are none, backward,"
                    + " forward, full, backward_transitive, forward_transitive, and full_transitive");
        }
    }

    /**
     * Why {@code candidate} may not follow {@code versions} (oldest first) under this level; empty when it may.
     * Backward: the candidate reads what they wrote; forward: they read what it writes; transitive: against all.
     */
    List<String> problems(Schema candidate, List<Schema> versions) {
        if (this == NONE || versions.isEmpty()) {
            return List.of();
        }
        List<Schema> against = name().endsWith("TRANSITIVE") ? versions : List.of(versions.getLast());
        boolean backward = this != FORWARD && this != FORWARD_TRANSITIVE;
        boolean forward = this != BACKWARD && this != BACKWARD_TRANSITIVE;
        List<String> problems = new ArrayList<>();
        for (Schema earlier : against) {
            if (backward) {
                problems.addAll(incompatibilities(candidate, earlier));
            }
            if (forward) {
                problems.addAll(incompatibilities(earlier, candidate));
            }
        }
        return problems;
    }

    private static List<String> incompatibilities(Schema reader, Schema writer) {
        var result = SchemaCompatibility.checkReaderWriterCompatibility(reader, writer);
        if (result.getType() == SchemaCompatibilityType.COMPATIBLE) {
            return List.of();
        }
        return result.getResult().getIncompatibilities().stream()
                .map(i -> "{errorType:'" + i.getType() + "', location:'" + i.getLocation() + "', description:'"
                        + i.getMessage() + "'}")
                .toList();
    }

    /** Whether a schema may follow version {@code against} alone under its subject's level, transitive or not. */
    static List<String> problemsAgainst(SchemaStore store, SchemaRecord against, String schemaJson,
                                        List<SchemaRecord.Reference> references) {
        Schema candidate = AvroSchemas.parse(schemaJson, references, store).schema();
        return store.compatibility(against.subject()).problems(candidate,
                List.of(AvroSchemas.parse(against, store).schema()));
    }

    static String keyJson(String subject) {
        var key = JSON.createObjectNode().put("keytype", CONFIG_KEY_TYPE);
        if (subject == null) {
            key.putNull("subject");
        } else {
            key.put("subject", subject);
        }
        return key.put("magic", 0).toString();
    }

    String valueJson() {
        return JSON.createObjectNode().put("compatibilityLevel", name()).toString();
    }
}
