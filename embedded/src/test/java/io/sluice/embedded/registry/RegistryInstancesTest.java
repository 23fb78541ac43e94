package io.sluice.embedded.registry;

import static io.sluice.embedded.registry.RegistryHttp.schemaBody;
import static io.sluice.embedded.registry.TestSchemas.recordJson;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Several registry instances on one topic: one writes, the others forward to it, and all answer the same. */
class RegistryInstancesTest {
    // the broker; its own registry, on the default topic, stays out of these tests' topics
    @RegisterExtension
    static final RegistryCluster cluster = new RegistryCluster();

    private static SchemaRegistryServer instance(String topic) {
        return SchemaRegistryServer.start(new SchemaRegistryServer.Options(
                Map.of("bootstrap.servers", cluster.broker.bootstrapServers()), "localhost", 0, topic));
    }

    /** Two instances on one topic, once the election has made one of them the writer. */
    record Pair(SchemaRegistryServer writer, SchemaRegistryServer other) {
        static Pair elected(SchemaRegistryServer a, SchemaRegistryServer b) {
            SchemaRegistryServer writer = await().atMost(Duration.ofSeconds(60)).until(
                    () -> a.isWriter() ? a : b.isWriter() ? b : null, w -> w != null);
            return new Pair(writer, writer == a ? b : a);
        }
    }

    /**
     * Registers through {@code instance}, trying again while it answers 500 with error code 50004 ("leader not known"):
     * an instance that does not write may not have read the writer's announcement yet, and a client retries that.
     */
    private static int register(SchemaRegistryServer instance, String subject, String schemaJson) {
        RegistryHttp http = new RegistryHttp(instance.url());
        RegistryHttp.Response response = await().atMost(Duration.ofSeconds(30)).until(
                () -> http.post("/subjects/" + subject + "/versions", schemaBody(schemaJson)),
                r -> !(r.status() == 500 && r.body().path("error_code").asInt() == 50004));
        assertThat(response.status()).as(response.body().toString()).isEqualTo(200);
        return response.body().get("id").asInt();
    }

    @Test
    void servesWhatEitherInstanceChangedFromBoth() {
        // Given two instances on one topic, one of them the writer
        try (SchemaRegistryServer a = instance("two"); SchemaRegistryServer b = instance("two")) {
            Pair pair = Pair.elected(a, b);
            SchemaRegistryServer writer = pair.writer();
            SchemaRegistryServer other = pair.other();

            // When one schema is registered through the instance that does not write, and another through the writer
            int viaOther = register(other, "two-a-value", recordJson("ViaOther"));
            int viaWriter = register(writer, "two-b-value", recordJson("ViaWriter"));

            // Then both ids read at once on both instances, and the same schema gets its id through either
            for (SchemaRegistryServer instance : List.of(a, b)) {
                RegistryHttp http = new RegistryHttp(instance.url());
                assertThat(http.get("/schemas/ids/" + viaOther).status()).isEqualTo(200);
                assertThat(http.get("/schemas/ids/" + viaWriter).status()).isEqualTo(200);
                assertThat(register(instance, "two-a-value", recordJson("ViaOther"))).isEqualTo(viaOther);
            }
            assertThat(viaOther).isNotEqualTo(viaWriter);

            // And levels and deletes made through the other instance take effect, with the writer's answers
            RegistryHttp http = new RegistryHttp(other.url());
            assertThat(http.put("/config/two-a-value", "{\"compatibility\":\"NONE\"}").status()).isEqualTo(200);
            assertThat(http.get("/config/two-a-value").body().get("compatibilityLevel").asText()).isEqualTo("NONE");
            assertThat(http.delete("/subjects/two-a-value").body().toString()).isEqualTo("[1]");
            assertThat(http.delete("/subjects/two-a-value").body().get("error_code").asInt()).isEqualTo(40404);
            assertThat(new RegistryHttp(writer.url()).get("/subjects").body().toString())
                    .isEqualTo("[\"two-b-value\"]");
        }
    }

    @Test
    void anotherInstanceTakesWritingOverWhenTheWriterStops() {
        // Given two instances and a schema registered through the writer
        try (SchemaRegistryServer a = instance("takeover"); SchemaRegistryServer b = instance("takeover")) {
            Pair pair = Pair.elected(a, b);
            SchemaRegistryServer writer = pair.writer();
            SchemaRegistryServer other = pair.other();
            int first = register(writer, "takeover-value", recordJson("First"));

            // When the writer stops
            writer.close();

            // Then the other instance writes within the session timeout, and new schemas get new ids
            await().atMost(Duration.ofSeconds(60)).until(other::isWriter);
            int second = register(other, "takeover-value", recordJson("First",
                    "{\"name\":\"n\",\"type\":\"int\",\"default\":0}"));
            assertThat(second).isEqualTo(first + 1);
            assertThat(register(other, "takeover-value", recordJson("First"))).isEqualTo(first);
        }
    }

    @Test
    void aFencedWriterNeverHandsOutAnIdAnotherWriterCommitted() throws Exception {
        // Given a writer, and then another writer that fences it and commits the next id for a schema of its own
        try (SchemaRegistryServer a = instance("fenced")) {
            assertThat(a.awaitWriter(Duration.ofSeconds(60))).isTrue();
            int before = register(a, "fenced-value", recordJson("Before"));
            String theirs = new org.apache.avro.Schema.Parser().parse(recordJson("Theirs")).toString();
            try (TopicWriter usurper = new TopicWriter(Map.of("bootstrap.servers", cluster.broker.bootstrapServers()),
                    new org.apache.kafka.common.TopicPartition("fenced", 0))) {
                usurper.write(List.of(new TopicRecord.Version(new SchemaRecord("theirs-value", 1, before + 1, theirs,
                        List.of(), false))));
            }

            // When a new schema is registered through the fenced instance, as a client retrying on errors would
            int mine = await().atMost(Duration.ofSeconds(60)).until(() -> {
                var response = new RegistryHttp(a.url()).post("/subjects/fenced-value/versions",
                        schemaBody(recordJson("Before", "{\"name\":\"n\",\"type\":\"int\",\"default\":0}")));
                return response.status() == 200 ? response.body().get("id").asInt() : null;
            }, id -> id != null);

            // Then its id is past the one the other writer committed, which still names the other writer's schema
            assertThat(mine).isEqualTo(before + 2);
            assertThat(new RegistryHttp(a.url()).get("/schemas/ids/" + (before + 1)).body().get("schema").asText())
                    .contains("Theirs");
        }
    }

    @Test
    void aSecondEmbeddedRegistryOnTheSameTopicTakesWritingOverAndTheFirstForwardsToIt() {
        // Given an embedded registry, and then a second one on the same topic (the same name in the election)
        String bootstrap = cluster.broker.bootstrapServers();
        try (EmbeddedSchemaRegistry first = EmbeddedSchemaRegistry.start(bootstrap, 0, "same-name");
             EmbeddedSchemaRegistry second = EmbeddedSchemaRegistry.start(bootstrap, 0, "same-name")) {

            // When schemas are registered through each
            RegistryHttp viaFirst = new RegistryHttp(first.url());
            RegistryHttp viaSecond = new RegistryHttp(second.url());
            int a = await().atMost(Duration.ofSeconds(30)).until(() -> {
                var r = viaFirst.post("/subjects/same-a-value/versions", schemaBody(recordJson("SameA")));
                return r.status() == 200 ? r.body().get("id").asInt() : null;
            }, id -> id != null);
            // the second may still be taking the writer's role over, answering 500 with error code 50004 ("leader
            // not known", as Confluent's registry does during an election): a client retries it
            int b = await().atMost(Duration.ofSeconds(30)).until(() -> {
                var r = viaSecond.post("/subjects/same-b-value/versions", schemaBody(recordJson("SameB")));
                return r.status() == 200 ? r.body().get("id").asInt() : null;
            }, id -> id != null);

            // Then they get different ids, and both registries serve both
            assertThat(a).isNotEqualTo(b);
            for (RegistryHttp http : List.of(viaFirst, viaSecond)) {
                assertThat(http.get("/subjects").body().toString()).isEqualTo("[\"same-a-value\",\"same-b-value\"]");
            }
        }
    }
}
