package io.sluice.embedded.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Optional;

/**
 * The registry's read endpoints as answers from memory, in Confluent's JSON shapes and error codes. Soft-deleted
 * versions are left out unless a request asks for them ({@code deleted=true}, {@code deletedOnly=true}), except by
 * id: an id stays readable until its last version is deleted permanently, so old records still decode.
 */
final class RegistryReads {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final SchemaStore store;

    RegistryReads(SchemaStore store) {
        this.store = store;
    }

    /** GET /schemas/ids/{id}: {"schema": ..., "references": [...]} (references only when there are some). */
    ObjectNode schemaById(String id) {
        SchemaRecord v = byId(id);
        ObjectNode body = JSON.createObjectNode().put("schema", v.schema());
        if (!v.references().isEmpty()) {
            body.set("references", SchemaRecord.referencesJson(v.references()));
        }
        return body;
    }

    /** GET /schemas/ids/{id}/versions: the subject versions using it. */
    ArrayNode versionsOfId(String id, SchemaStore.Lookup lookup) {
        byId(id);
        ArrayNode uses = JSON.createArrayNode();
        store.usesOf(parseId(id), lookup).forEach(v -> uses.addObject().put("subject", v.subject())
                .put("version", v.version()));
        return uses;
    }

    /** GET /schemas/ids/{id}/subjects. */
    JsonNode subjectsOfId(String id, SchemaStore.Lookup lookup) {
        byId(id);
        return JSON.valueToTree(store.usesOf(parseId(id), lookup).stream().map(SchemaRecord::subject)
                .distinct().sorted().toList());
    }

    private SchemaRecord byId(String id) {
        return store.byId(parseId(id)).orElseThrow(() -> RegistryError.schemaNotFound(id));
    }

    /** GET /subjects, with Confluent's {@code subjectPrefix}. */
    JsonNode subjects(SchemaStore.Lookup lookup, String prefix) {
        return JSON.valueToTree(store.subjects(lookup).stream()
                .filter(s -> prefix == null || s.startsWith(prefix)).toList());
    }

    /** GET /subjects/{subject}/versions: 40401 unless some version is (or, asked for, was) there. */
    JsonNode versionsOf(String subject, SchemaStore.Lookup lookup) {
        SchemaStore.Lookup exists = lookup == SchemaStore.Lookup.LIVE ? lookup : SchemaStore.Lookup.WITH_DELETED;
        if (store.versions(subject, exists).isEmpty()) {
            throw RegistryError.subjectNotFound(subject);
        }
        return JSON.valueToTree(store.versions(subject, lookup).stream().map(SchemaRecord::version).toList());
    }

    /** GET /subjects/{subject}/versions/{version}: 42202 for a bad version, else 40401 or 40402. */
    SchemaRecord version(String subject, String version, SchemaStore.Lookup lookup) {
        Optional<SchemaRecord> found = Versions.find(store, subject, version, lookup);
        if (found.isPresent()) {
            return found.get();
        }
        if (store.versions(subject, lookup).isEmpty()) {
            throw RegistryError.subjectNotFound(subject);
        }
        throw RegistryError.versionNotFound(subject, Versions.number(version));
    }

    /** GET /subjects/{subject}/versions/{version}/referencedby: ids of schemas referencing it, ascending. */
    JsonNode referencedBy(String subject, String version) {
        SchemaRecord v = version(subject, version, SchemaStore.Lookup.WITH_DELETED);
        return JSON.valueToTree(store.referencedBy(subject, v.version(), SchemaStore.Lookup.LIVE));
    }

    /** POST /subjects/{subject}: the version holding this schema; 40401 for no subject, 40403 for no match. */
    ObjectNode lookup(String subject, AvroSchemas.Parsed schema, SchemaStore.Lookup lookup) {
        if (store.versions(subject, lookup).isEmpty()) {
            throw RegistryError.subjectNotFound(subject);
        }
        return versionJson(store.find(subject, schema.identity(), lookup)
                .orElseThrow(() -> RegistryError.schemaNotFoundUnder(subject)));
    }

    /** GET /config/{subject}: its own level; with {@code defaultToGlobal}, else the global one. */
    ObjectNode subjectConfig(String subject, boolean defaultToGlobal) {
        Optional<Compatibility> level = defaultToGlobal ? Optional.of(store.compatibility(subject))
                : store.config(subject);
        return JSON.createObjectNode().put("compatibilityLevel",
                level.orElseThrow(() -> RegistryError.subjectConfigNotFound(subject)).name());
    }

    static ObjectNode versionJson(SchemaRecord v) {
        ObjectNode body = JSON.createObjectNode().put("subject", v.subject()).put("id", v.id())
                .put("version", v.version()).put("schema", v.schema());
        if (!v.references().isEmpty()) {
            body.set("references", SchemaRecord.referencesJson(v.references()));
        }
        return body;
    }

    private static int parseId(String id) {
        try {
            return Integer.parseInt(id);
        } catch (NumberFormatException e) {
            throw RegistryError.schemaNotFound(id);
        }
    }
}
