package io.sluice.schemas.compat;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CompatibilityCheckTest {
    @TempDir
    Path dir;

    /** Committed versions by file name, newest first, as git would give them. */
    private final Map<String, List<String>> committed = new HashMap<>();
    private final CompatibilityCheck.History history =
            file -> committed.getOrDefault(dir.relativize(file).toString(), List.of());

    private static String order(String... fields) {
        return record("Order", fields);
    }

    private static String record(String name, String... fields) {
        return "{\"type\":\"record\",\"name\":\"" + name + "\",\"namespace\":\"io.sluice.test\","
                + "\"doc\":\"A test record.\",\"fields\":[" + String.join(",", fields) + "]}";
    }

    private static String field(String name, String type) {
        return "{\"name\":\"" + name + "\",\"type\":" + type + ",\"doc\":\"The " + name + ".\"}";
    }

    private static String field(String name, String type, String defaultJson) {
        return "{\"name\":\"" + name + "\",\"type\":" + type + ",\"default\":" + defaultJson
                + ",\"doc\":\"The " + name + ".\"}";
    }

    private void write(String file, String schema) throws IOException {
        Files.createDirectories(dir.resolve(file).getParent());
        Files.writeString(dir.resolve(file), schema);
    }

    @Test
    void acceptsAFieldAddedWithADefault() throws IOException {
        // Given Order.avsc committed without "note" and now with "note" having a default
        committed.put("Order.avsc", List.of(order(field("id", "\"string\""))));
        write("Order.avsc", order(field("id", "\"string\""), field("note", "\"string\"", "\"\"")));

        // When the contracts are checked
        // Then there is no problem
        assertThat(CompatibilityCheck.check(dir, history)).isEmpty();
    }

    @Test
    void acceptsATypePromotionAvroResolves() throws IOException {
        // Given a field committed as int and now a long (Avro promotes int to long when reading)
        committed.put("Order.avsc", List.of(order(field("count", "\"int\""))));
        write("Order.avsc", order(field("count", "\"long\"")));

        // When the contracts are checked
        // Then there is no problem
        assertThat(CompatibilityCheck.check(dir, history)).isEmpty();
    }

    @Test
    void refusesAFieldAddedWithoutADefault() throws IOException {
        // Given Order.avsc committed without "amount" and now with a required "amount"
        committed.put("Order.avsc", List.of(order(field("id", "\"string\""))));
        write("Order.avsc", order(field("id", "\"string\""), field("amount", "\"int\"")));

        // When the contracts are checked
        List<String> problems = CompatibilityCheck.check(dir, history);

        // Then the file cannot read its committed version: the new field has no default
        assertThat(problems).singleElement().asString()
                .startsWith("Order.avsc cannot read data written with its committed version 1")
                .contains("READER_FIELD_MISSING_DEFAULT_VALUE", "amount");
    }

    @Test
    void refusesRemovingADefaultThatAnOlderCommittedVersionNeeds() throws IOException {
        // Given "amount" absent in the oldest version, added with a default later, and now without the default
        committed.put("Order.avsc", List.of(
                order(field("id", "\"string\""), field("amount", "\"int\"", "0")),
                order(field("id", "\"string\""))));
        write("Order.avsc", order(field("id", "\"string\""), field("amount", "\"int\"")));

        // When the contracts are checked
        List<String> problems = CompatibilityCheck.check(dir, history);

        // Then only the oldest version (second, newest first) is unreadable: the check is transitive
        assertThat(problems).singleElement().asString()
                .startsWith("Order.avsc cannot read data written with its committed version 2")
                .contains("READER_FIELD_MISSING_DEFAULT_VALUE");
    }

    @Test
    void refusesAFieldTypeChange() throws IOException {
        // Given "id" committed as a string and now an int
        committed.put("Order.avsc", List.of(order(field("id", "\"string\""))));
        write("Order.avsc", order(field("id", "\"int\"")));

        // When the contracts are checked
        List<String> problems = CompatibilityCheck.check(dir, history);

        // Then the type mismatch is reported with where it is
        assertThat(problems).singleElement().asString()
                .contains("Order.avsc cannot read data written with its committed version 1", "TYPE_MISMATCH",
                        "/fields/0/type");
    }

    @Test
    void reportsRecordsFieldsAndEnumsWithoutDoc() throws IOException {
        // Given a schema whose record, one field, a nested record and an enum have no doc
        write("Order.avsc", """
                {"type": "record", "name": "Order", "namespace": "io.sluice.test", "fields": [
                  {"name": "id", "type": "string", "doc": "Documented."},
                  {"name": "amount", "type": "int"},
                  {"name": "lines", "doc": "Documented.", "type": {"type": "array", "items":
                    {"type": "record", "name": "Line", "fields": [{"name": "sku", "type": "string", "doc": "Doc."}]}}},
                  {"name": "state", "doc": "Documented.", "type": {"type": "enum", "name": "State", "symbols": ["A"]}}
                ]}""");

        // When the contracts are checked
        List<String> problems = CompatibilityCheck.check(dir, history);

        // Then each undocumented element is named
        assertThat(problems).containsExactlyInAnyOrder(
                "Order.avsc: record io.sluice.test.Order has no doc",
                "Order.avsc: field Order.amount has no doc",
                "Order.avsc: record io.sluice.test.Line has no doc",
                "Order.avsc: enum io.sluice.test.State has no doc");
    }

    @Test
    void reportsASchemaThatDoesNotParse() throws IOException {
        // Given a file that is not even JSON
        write("Broken.avsc", "{\"type\":\"record\",\"name\":\"Broken\", fields: []}");

        // When the contracts are checked
        List<String> problems = CompatibilityCheck.check(dir, history);

        // Then it is reported by name
        assertThat(problems).singleElement().asString().startsWith("Broken.avsc does not parse");
    }

    @Test
    void reportsUndefinedTypeNamesAndBadDefaultsAsProblems() throws IOException {
        // Given schemas that are JSON but not valid Avro
        write("Misspelt.avsc", "{\"type\":\"recrod\",\"name\":\"Misspelt\"}");
        write("Undefined.avsc", order(field("x", "\"Undefined\"")));
        write("BadDefault.avsc", record("BadDefault", field("x", "\"int\"", "\"a\"")));

        // When the contracts are checked
        List<String> problems = CompatibilityCheck.check(dir, history);

        // Then each is reported by name, not thrown
        assertThat(problems).hasSize(3).anySatisfy(p -> assertThat(p).startsWith("Misspelt.avsc does not parse"))
                .anySatisfy(p -> assertThat(p).startsWith("Undefined.avsc does not parse"))
                .anySatisfy(p -> assertThat(p).startsWith("BadDefault.avsc does not parse"));
    }

    @Test
    void resolvesInternalSchemasThatReferToPublicOnes() throws IOException {
        // Given a public Order and an internal record using it, with a committed version that also refers to it
        write("Order.avsc", order(field("id", "\"string\"")));
        String internal = record("Envelope", field("order", "\"io.sluice.test.Order\""));
        write("internal/Envelope.avsc", internal);
        committed.put(Path.of("internal", "Envelope.avsc").toString(), List.of(internal));

        // When the contracts are checked
        // Then the reference resolves and there is no problem
        assertThat(CompatibilityCheck.check(dir, history)).isEmpty();
    }

    @Test
    void resolvesASchemaThatRefersToOneParsedAfterIt() throws IOException {
        // Given two internal records where the first in name order uses the second
        write("internal/Alpha.avsc", record("Alpha", field("zulu", "\"io.sluice.test.Zulu\"")));
        write("internal/Zulu.avsc", record("Zulu", field("id", "\"string\"")));

        // When the contracts are checked
        // Then the reference resolves and there is no problem
        assertThat(CompatibilityCheck.check(dir, history)).isEmpty();
    }

    @Test
    void skipsACommittedVersionThatNeverParsed() throws IOException {
        // Given a committed version that is not a valid schema (so no data was ever written with it)
        committed.put("Order.avsc", List.of("{ not a schema"));
        write("Order.avsc", order(field("id", "\"string\"")));

        // When the contracts are checked
        // Then it is not held against the current schema
        assertThat(CompatibilityCheck.check(dir, history)).isEmpty();
    }

    @Test
    void passesSluicesOwnContracts() throws IOException {
        // Given the project's Avro contracts and no history
        // When they are checked
        // Then all are documented and parse (public ones before the internal ones that use them)
        assertThat(CompatibilityCheck.check(Path.of("avro"), file -> List.of())).isEmpty();
    }
}
