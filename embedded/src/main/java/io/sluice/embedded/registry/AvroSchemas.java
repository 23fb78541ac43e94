package io.sluice.embedded.registry;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.avro.Schema;

/**
 * Avro schemas as the registry parses them: with their references resolved, the way Confluent's {@code AvroSchema}
 * does, by parsing each referenced subject version first (its own references before it) so the named types it
 * defines are known when the referencing schema names them.
 */
final class AvroSchemas {
    private AvroSchemas() {}

    /**
     * A schema parsed with its references.
     *
     * @param normalized its identity: the parsed schema's JSON with referenced types left as names, so whitespace
     *                   and key order do not make a new schema while docs, defaults and properties do
     * @param references as given, with {@code -1} ("latest") replaced by the version it meant
     */
    record Parsed(Schema schema, String normalized, List<SchemaRecord.Reference> references) {
        SchemaRecord.Identity identity() {
            return new SchemaRecord.Identity(normalized, references);
        }
    }

    static Parsed parse(SchemaRecord version, SchemaStore store) {
        return parse(version.schema(), version.references(), store);
    }

    /** Parses {@code schemaJson}, resolving {@code references} against {@code store}; 42201 when it cannot. */
    static Parsed parse(String schemaJson, List<SchemaRecord.Reference> references, SchemaStore store) {
        List<SchemaRecord.Reference> concrete = references.stream().map(r -> concrete(r, store)).toList();
        Schema.Parser parser = new Schema.Parser();
        List<Schema> referenced = new ArrayList<>();
        Set<SchemaRecord.Reference> defined = new HashSet<>();
        for (SchemaRecord.Reference r : concrete) {
            define(parser, r, store, defined, referenced);
        }
        Schema schema = parse(parser, schemaJson);
        return new Parsed(schema, schema.toString(referenced, false), concrete);
    }

    private static SchemaRecord.Reference concrete(SchemaRecord.Reference r, SchemaStore store) {
        if (r.version() != -1) {
            return r;
        }
        int latest = store.latest(r.subject()).orElseThrow(() -> notFound(r)).version();
        return new SchemaRecord.Reference(r.name(), r.subject(), latest);
    }

    /** Parses the version {@code r} names into {@code parser}, once, after whatever it references itself. */
    private static void define(Schema.Parser parser, SchemaRecord.Reference r, SchemaStore store,
                               Set<SchemaRecord.Reference> defined, List<Schema> referenced) {
        SchemaRecord.Reference at = new SchemaRecord.Reference("", r.subject(), r.version());
        if (!defined.add(at)) {
            return;
        }
        // soft-deleted versions still resolve: a schema that references one stays readable
        SchemaRecord version = store.version(r.subject(), r.version(), SchemaStore.Lookup.WITH_DELETED)
                .orElseThrow(() -> notFound(r));
        for (SchemaRecord.Reference inner : version.references()) {
            define(parser, inner, store, defined, referenced);
        }
        referenced.add(parse(parser, version.schema()));
    }

    private static RegistryError notFound(SchemaRecord.Reference r) {
        return RegistryError.invalidSchema("reference '" + r.name() + "' names version " + r.version()
                + " of subject '" + r.subject() + "', which does not exist");
    }

    private static Schema parse(Schema.Parser parser, String schemaJson) {
        try {
            return parser.parse(schemaJson);
        } catch (NullPointerException e) {
            // Avro 1.12 throws this, not a parse exception, when the top-level type is an undefined name
            throw RegistryError.invalidSchema("it names a type that is not defined: " + schemaJson);
        } catch (RuntimeException e) {
            // SchemaParseException for bad JSON or structure, AvroTypeException for undefined names and bad defaults
            throw RegistryError.invalidSchema(e.getMessage());
        }
    }
}
