package io.sluice.embedded.registry;

import static io.sluice.embedded.registry.RegistryHttp.schemaBody;
import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.embedded.kafka.EmbeddedKafkaBroker;
import java.nio.file.Files;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The compatibility settings Confluent clients make (kafkajs' registry client sets a subject's level after each
 * registration): set, read, deleted, enforced on registration, checked on request, and kept across a restart.
 */
class CompatibilityConfigTest {
    private static final String V1 = "{\"type\":\"record\",\"name\":\"Order\",\"fields\":[{\"name\":\"id\",\"type\":\"string\"}]}";
    /** A required field added: a reader on it cannot read v1's records, so not BACKWARD; FORWARD it is. */
    private static final String V2_REQUIRED = "{\"type\":\"record\",\"name\":\"Order\",\"fields\":["
            + "{\"name\":\"id\",\"type\":\"string\"},{\"name\":\"qty\",\"type\":\"int\"}]}";

    private static EmbeddedKafkaBroker broker;

    @BeforeAll
    static void startBroker() throws Exception {
        broker = new EmbeddedKafkaBroker(Files.createTempDirectory("registry-config-"), 0).start();
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    @Test
    @DisplayName("per-subject and global levels are set, read, enforced, checked and deleted, and survive a restart")
    void levels() {
        try (EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.start(broker.bootstrapServers(), 0, "levels")) {
            RegistryHttp http = new RegistryHttp(registry.url());
            assertThat(http.get("/config").body().get("compatibilityLevel").asText()).isEqualTo("BACKWARD");
            assertThat(http.post("/subjects/orders-value/versions", schemaBody(V1)).status()).isEqualTo(200);

            // Under the default BACKWARD a required new field is refused, and the check says so
            assertThat(http.post("/subjects/orders-value/versions", schemaBody(V2_REQUIRED)).status()).isEqualTo(409);
            var check = http.post("/compatibility/subjects/orders-value/versions/latest?verbose=true",
                    schemaBody(V2_REQUIRED)).body();
            assertThat(check.get("is_compatible").asBoolean()).isFalse();
            assertThat(check.get("messages").toString()).contains("qty");

            // A subject without its own level: 40408, or the global one when asked to default to it
            assertThat(http.get("/config/orders-value").body().get("error_code").asInt()).isEqualTo(40408);
            assertThat(http.get("/config/orders-value?defaultToGlobal=true").body().get("compatibilityLevel").asText())
                    .isEqualTo("BACKWARD");

            // When the subject is set to FORWARD, the same schema is compatible and registers
            var set = http.put("/config/orders-value", "{\"compatibility\":\"FORWARD\"}");
            assertThat(set.status()).isEqualTo(200);
            assertThat(set.body().get("compatibility").asText()).isEqualTo("FORWARD");
            assertThat(http.post("/compatibility/subjects/orders-value/versions/latest", schemaBody(V2_REQUIRED))
                    .body().get("is_compatible").asBoolean()).isTrue();
            assertThat(http.post("/subjects/orders-value/versions", schemaBody(V2_REQUIRED)).status()).isEqualTo(200);

            // Bad levels and modes are refused with Confluent's codes; the one mode is READWRITE
            assertThat(http.put("/config", "{\"compatibility\":\"SOMETIMES\"}").body().get("error_code").asInt())
                    .isEqualTo(42203);
            assertThat(http.put("/mode", "{\"mode\":\"IMPORT\"}").body().get("error_code").asInt()).isEqualTo(42204);
            assertThat(http.put("/mode", "{\"mode\":\"READWRITE\"}").status()).isEqualTo(200);
            assertThat(http.get("/mode").body().get("mode").asText()).isEqualTo("READWRITE");
            assertThat(http.put("/config", "{\"compatibility\":\"FULL\"}").status()).isEqualTo(200);
        }

        // And a new registry on the same topic has the same levels
        try (EmbeddedSchemaRegistry again = EmbeddedSchemaRegistry.start(broker.bootstrapServers(), 0, "levels")) {
            RegistryHttp http = new RegistryHttp(again.url());
            assertThat(http.get("/config/orders-value").body().get("compatibilityLevel").asText()).isEqualTo("FORWARD");
            assertThat(http.get("/config").body().get("compatibilityLevel").asText()).isEqualTo("FULL");

            // and deleting the subject's level answers the old one and falls back to the global
            assertThat(http.delete("/config/orders-value").body().get("compatibilityLevel").asText())
                    .isEqualTo("FORWARD");
            assertThat(http.get("/config/orders-value?defaultToGlobal=true").body().get("compatibilityLevel")
                    .asText()).isEqualTo("FULL");
            assertThat(http.delete("/config").status()).isEqualTo(200);
            assertThat(http.get("/config").body().get("compatibilityLevel").asText()).isEqualTo("BACKWARD");
        }
    }
}
