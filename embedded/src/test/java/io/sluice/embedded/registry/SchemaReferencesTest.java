package io.sluice.embedded.registry;

import static io.sluice.embedded.registry.RegistryHttp.schemaBody;
import static org.assertj.core.api.Assertions.assertThat;

import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Avro schema references: a type registered under one subject, used by name from a schema under another. */
class SchemaReferencesTest {
    @RegisterExtension
    static final RegistryCluster cluster = new RegistryCluster();

    static final String MONEY = "{\"type\":\"record\",\"name\":\"Money\",\"namespace\":\"io.sluice.test\",\"fields\":["
            + "{\"name\":\"cents\",\"type\":\"long\"},{\"name\":\"currency\",\"type\":\"string\"}]}";
    static final String ORDER = "{\"type\":\"record\",\"name\":\"Order\",\"namespace\":\"io.sluice.test\",\"fields\":["
            + "{\"name\":\"id\",\"type\":\"string\"},{\"name\":\"price\",\"type\":\"io.sluice.test.Money\"}]}";

    /** A registration body with one reference to {@code io.sluice.test.Money} in {@code subject} {@code version}. */
    static String withMoney(String schemaJson, String subject, int version) {
        var body = RegistryHttp.JSON.createObjectNode().put("schema", schemaJson);
        body.putArray("references").addObject().put("name", "io.sluice.test.Money").put("subject", subject)
                .put("version", version);
        return body.toString();
    }

    private static int register(String subject, String body) {
        RegistryHttp.Response response = cluster.http.post("/subjects/" + subject + "/versions", body);
        assertThat(response.status()).as(response.body().toString()).isEqualTo(200);
        return response.body().get("id").asInt();
    }

    @Test
    void resolvesAReferencedTypeAndServesTheReferencesWithTheSchema() {
        // Given Money registered under its own subject
        register("money", schemaBody(MONEY));

        // When an Order naming Money is registered with a reference to it
        int orderId = register("orders-value", withMoney(ORDER, "money", 1));

        // Then the Order is served by id and by version with its reference, and Money lists the Order's id
        var byId = cluster.http.get("/schemas/ids/" + orderId).body();
        assertThat(byId.get("references").toString())
                .isEqualTo("[{\"name\":\"io.sluice.test.Money\",\"subject\":\"money\",\"version\":1}]");
        // Money stays a name in the Order's text, not a copy of its definition
        assertThat(byId.get("schema").asText()).contains("\"type\":\"Money\"").doesNotContain("cents");
        assertThat(cluster.http.get("/subjects/orders-value/versions/latest").body().get("references").size())
                .isEqualTo(1);
        assertThat(cluster.http.get("/subjects/money/versions/1/referencedby").body().toString())
                .isEqualTo("[" + orderId + "]");

        // And registering or looking it up again finds the same id
        assertThat(register("orders-value", withMoney(ORDER, "money", 1))).isEqualTo(orderId);
        assertThat(cluster.http.post("/subjects/orders-value", withMoney(ORDER, "money", 1)).body().get("id").asInt())
                .isEqualTo(orderId);
        // And the text parses, after Money, into the full schema a reader would use
        Schema.Parser parser = new Schema.Parser();
        parser.parse(MONEY);
        assertThat(parser.parse(byId.get("schema").asText()).getField("price").schema().getName()).isEqualTo("Money");
    }

    @Test
    void refusesToDeleteAVersionWhileASchemaReferencesIt() {
        // Given Money v1, referenced by a Payment
        register("cash", schemaBody(MONEY));
        String payment = ORDER.replace("\"Order\"", "\"Payment\"");
        register("payments-value", withMoney(payment, "cash", 1));

        // When Money's version or subject is deleted, Then both are refused with 42206
        var version = cluster.http.delete("/subjects/cash/versions/1");
        assertThat(version.status()).isEqualTo(422);
        assertThat(version.body().get("error_code").asInt()).isEqualTo(42206);
        assertThat(version.body().get("message").asText())
                .isEqualTo("One or more references exist to the schema {magic=1,keytype=SCHEMA,subject=cash,version=1}.");
        assertThat(cluster.http.delete("/subjects/cash").body().get("error_code").asInt()).isEqualTo(42206);

        // When the Payment is soft-deleted, Then Money may be soft-deleted but not permanently deleted yet
        assertThat(cluster.http.delete("/subjects/payments-value").status()).isEqualTo(200);
        assertThat(cluster.http.delete("/subjects/cash").status()).isEqualTo(200);
        assertThat(cluster.http.delete("/subjects/cash?permanent=true").body().get("error_code").asInt())
                .isEqualTo(42206);

        // And once the Payment is deleted permanently, so may Money be
        assertThat(cluster.http.delete("/subjects/payments-value?permanent=true").status()).isEqualTo(200);
        assertThat(cluster.http.delete("/subjects/cash?permanent=true").body().toString()).isEqualTo("[1]");
    }

    @Test
    void refusesASchemaNamingATypeWithoutTheReferenceThatDefinesIt() {
        // Given no reference to Money
        // When an Order naming it is registered, Then it is an invalid schema
        var refused = cluster.http.post("/subjects/unresolved-value/versions", schemaBody(ORDER));
        assertThat(refused.status()).isEqualTo(422);
        assertThat(refused.body().get("error_code").asInt()).isEqualTo(42201);
        assertThat(refused.body().get("message").asText()).contains("io.sluice.test.Money");
    }
}
