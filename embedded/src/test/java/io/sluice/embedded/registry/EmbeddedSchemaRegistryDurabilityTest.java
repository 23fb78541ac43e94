package io.sluice.embedded.registry;

import static io.sluice.embedded.registry.TestSchemas.record;
import static io.sluice.embedded.registry.TestSchemas.recordJson;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.embedded.kafka.EmbeddedKafkaBroker;
import io.sluice.registry.RestSchemaRegistryClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.avro.Schema;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The registry's state lives in its Kafka topic: restarts keep it, and the topic holds the documented format. */
class EmbeddedSchemaRegistryDurabilityTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;
    static EmbeddedKafkaBroker broker;

    @BeforeAll
    static void startBroker() {
        broker = new EmbeddedKafkaBroker(dir, 0).start();
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void keepsIdsSubjectsAndVersionsAcrossARestartAndNeverReusesAnId() {
        // Given a registry that registered two versions of one subject and shared version 1 with another subject
        Schema v1 = record("Durable");
        Schema v2 = record("Durable", "{\"name\":\"note\",\"type\":[\"null\",\"string\"],\"default\":null}");
        int id1;
        int id2;
        try (EmbeddedSchemaRegistry first = EmbeddedSchemaRegistry.start(broker.bootstrapServers(), 0, "durable")) {
            RestSchemaRegistryClient client = new RestSchemaRegistryClient(first.url());
            id1 = client.register("a-value", v1);
            id2 = client.register("a-value", v2);
            client.register("b-value", v1);
        }

        // When a new registry starts on the same broker and topic
        try (EmbeddedSchemaRegistry second = EmbeddedSchemaRegistry.start(broker.bootstrapServers(), 0, "durable")) {
            RegistryHttp http = new RegistryHttp(second.url());
            RestSchemaRegistryClient client = new RestSchemaRegistryClient(second.url());

            // Then it serves the same ids, subjects and versions
            assertThat(client.schemaById(id1)).isEqualTo(v1);
            assertThat(client.schemaById(id2)).isEqualTo(v2);
            assertThat(http.get("/subjects").body().toString()).isEqualTo("[\"a-value\",\"b-value\"]");
            assertThat(http.get("/subjects/a-value/versions").body().toString()).isEqualTo("[1,2]");
            assertThat(http.get("/subjects/b-value/versions/1").body().get("id").asInt()).isEqualTo(id1);
            assertThat(client.register("a-value", v2)).isEqualTo(id2);

            // And the next new schema gets the next id, version 3
            int id3 = client.register("a-value",
                    record("Durable", "{\"name\":\"note\",\"type\":[\"null\",\"string\"],\"default\":null}",
                            "{\"name\":\"size\",\"type\":\"int\",\"default\":0}"));
            assertThat(id3).isEqualTo(Math.max(id1, id2) + 1);
            assertThat(http.get("/subjects/a-value/versions/latest").body().get("version").asInt()).isEqualTo(3);
        }
    }

    @Test
    void keepsDeletesReferencesAndLevelsAcrossARestartAndNeverReusesAPermanentlyDeletedId() {
        // Given a registry that soft-deleted one subject, permanently deleted another (holding the highest id, and
        // a level of its own), and registered a schema referencing a third
        int softId;
        int goneId;
        int orderId;
        try (EmbeddedSchemaRegistry first = EmbeddedSchemaRegistry.start(broker.bootstrapServers(), 0, "deletes")) {
            RegistryHttp http = new RegistryHttp(first.url());
            http.post("/subjects/money/versions", RegistryHttp.schemaBody(SchemaReferencesTest.MONEY));
            orderId = http.post("/subjects/orders-value/versions",
                    SchemaReferencesTest.withMoney(SchemaReferencesTest.ORDER, "money", 1)).body().get("id").asInt();
            softId = http.post("/subjects/soft-value/versions", RegistryHttp.schemaBody(recordJson("Soft")))
                    .body().get("id").asInt();
            http.delete("/subjects/soft-value");
            goneId = http.post("/subjects/gone-value/versions", RegistryHttp.schemaBody(recordJson("Gone")))
                    .body().get("id").asInt();
            http.put("/config/gone-value", "{\"compatibility\":\"NONE\"}");
            http.delete("/subjects/gone-value");
            assertThat(http.delete("/subjects/gone-value?permanent=true").status()).isEqualTo(200);
        }

        // When a new registry starts on the same topic
        try (EmbeddedSchemaRegistry second = EmbeddedSchemaRegistry.start(broker.bootstrapServers(), 0, "deletes")) {
            RegistryHttp http = new RegistryHttp(second.url());

            // Then the soft-deleted subject is listed only with deleted=true and its id still reads
            assertThat(http.get("/subjects").body().toString()).isEqualTo("[\"money\",\"orders-value\"]");
            assertThat(http.get("/subjects?deleted=true").body().toString())
                    .isEqualTo("[\"money\",\"orders-value\",\"soft-value\"]");
            assertThat(http.get("/schemas/ids/" + softId).status()).isEqualTo(200);
            assertThat(http.delete("/subjects/soft-value").body().get("error_code").asInt()).isEqualTo(40404);

            // And the permanently deleted subject, its id and its level are gone
            assertThat(http.get("/schemas/ids/" + goneId).body().get("error_code").asInt()).isEqualTo(40403);
            assertThat(http.get("/config/gone-value").body().get("error_code").asInt()).isEqualTo(40408);

            // And the reference is served and still holds Money back
            assertThat(http.get("/schemas/ids/" + orderId).body().get("references").size()).isEqualTo(1);
            assertThat(http.get("/subjects/money/versions/1/referencedby").body().toString())
                    .isEqualTo("[" + orderId + "]");
            assertThat(http.delete("/subjects/money/versions/1").body().get("error_code").asInt()).isEqualTo(42206);

            // And the deleted id is not handed out again
            int next = new RestSchemaRegistryClient(second.url()).register("next-value", record("Next"));
            assertThat(next).isEqualTo(goneId + 1);
        }
    }

    @Test
    void continuesIdsAboveTheFloorAPermanentDeleteLeftEvenWhenCompactionDroppedTheVersion() throws Exception {
        // Given a topic that holds only the id floor a permanent delete of id 70 wrote (compaction took the rest)
        EmbeddedSchemaRegistry.start(broker.bootstrapServers(), 0, "floor").close(); // creates the topic
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()),
                new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>("floor", "{\"keytype\":\"MAX_ID\",\"magic\":0}",
                    "{\"maxId\":70}")).get();
        }

        // When a registry starts on it and registers a new schema
        try (EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.start(broker.bootstrapServers(), 0, "floor")) {
            int id = new RestSchemaRegistryClient(registry.url()).register("floor-value", record("Floor"));

            // Then the schema gets id 71
            assertThat(id).isEqualTo(71);
        }
    }

    @Test
    void createsItsTopicCompactedWithOnePartition() throws Exception {
        // Given no topic named "created"
        // When a registry starts on it
        try (EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.start(broker.bootstrapServers(), 0, "created");
             Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
            // Then the topic exists with one partition and compaction, and the registry starts empty
            assertThat(admin.describeTopics(Set.of("created")).allTopicNames().get().get("created").partitions())
                    .hasSize(1);
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, "created");
            Config config = admin.describeConfigs(Set.of(resource)).all().get().get(resource);
            assertThat(config.get("cleanup.policy").value()).isEqualTo("compact");
            assertThat(new RegistryHttp(registry.url()).get("/subjects").body()).isEmpty();
        }
    }

    @Test
    void writesEachVersionToTheTopicAsTheDocumentedJsonKeyAndValue() {
        // Given a registry on topic "documented"
        String schemaJson = recordJson("Documented");
        int id;
        try (EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.start(broker.bootstrapServers(), 0, "documented")) {
            // When a schema is registered
            id = new RestSchemaRegistryClient(registry.url()).register("documented-value",
                    new Schema.Parser().parse(schemaJson));
        }

        // Then the topic holds one version record: key {"keytype","subject","version"}, value {"subject","version",
        // "id","schema"}, besides the writer's announcement of its URL
        List<ConsumerRecord<String, String>> all = readAll("documented", 2);
        assertThat(all).anySatisfy(r -> assertThat(r.key()).isEqualTo("{\"keytype\":\"WRITER\",\"magic\":0}"));
        List<ConsumerRecord<String, String>> records = all.stream()
                .filter(r -> r.key().startsWith("{\"keytype\":\"SCHEMA\"")).toList();
        assertThat(records).hasSize(1);
        assertThat(records.getFirst().key())
                .isEqualTo("{\"keytype\":\"SCHEMA\",\"subject\":\"documented-value\",\"version\":1}");
        JsonNode value = parse(records.getFirst().value());
        assertThat(value.get("subject").asText()).isEqualTo("documented-value");
        assertThat(value.get("version").asInt()).isEqualTo(1);
        assertThat(value.get("id").asInt()).isEqualTo(id);
        assertThat(new Schema.Parser().parse(value.get("schema").asText()))
                .isEqualTo(new Schema.Parser().parse(schemaJson));
    }

    @Test
    void rebuildsFromRecordsWrittenByHandAndSkipsTombstonesAndRecordsItDoesNotKnow() throws Exception {
        // Given a topic holding a hand-written version (id 41), a foreign record, a tombstone and a broken value
        String schemaJson = recordJson("HandWritten");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()),
                new StringSerializer(), new StringSerializer())) {
            EmbeddedSchemaRegistry.start(broker.bootstrapServers(), 0, "handmade").close(); // creates the topic
            producer.send(new ProducerRecord<>("handmade",
                    "{\"keytype\":\"SCHEMA\",\"subject\":\"hand-value\",\"version\":1}",
                    JSON.createObjectNode().put("subject", "hand-value").put("version", 1).put("id", 41)
                            .put("schema", schemaJson).toString())).get();
            producer.send(new ProducerRecord<>("handmade", "{\"keytype\":\"CONFIG\",\"subject\":null}",
                    "{\"compatibilityLevel\":\"FULL\"}")).get();
            producer.send(new ProducerRecord<>("handmade",
                    "{\"keytype\":\"SCHEMA\",\"subject\":\"gone-value\",\"version\":1}", null)).get();
            producer.send(new ProducerRecord<>("handmade",
                    "{\"keytype\":\"SCHEMA\",\"subject\":\"broken-value\",\"version\":1}", "not json")).get();
        }

        // When a registry starts on it
        try (EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.start(broker.bootstrapServers(), 0, "handmade")) {
            RegistryHttp http = new RegistryHttp(registry.url());

            // Then it serves the hand-written version only, and new schemas continue from its id
            assertThat(http.get("/subjects").body().toString()).isEqualTo("[\"hand-value\"]");
            assertThat(http.get("/schemas/ids/41").status()).isEqualTo(200);
            int next = new RestSchemaRegistryClient(registry.url()).register("next-value", record("Next"));
            assertThat(next).isEqualTo(42);
        }
    }

    private static List<ConsumerRecord<String, String>> readAll(String topic, int expected) {
        List<ConsumerRecord<String, String>> records = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()),
                new StringDeserializer(), new StringDeserializer())) {
            TopicPartition partition = new TopicPartition(topic, 0);
            consumer.assign(Set.of(partition));
            consumer.seekToBeginning(Set.of(partition));
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                consumer.poll(Duration.ofMillis(100)).forEach(records::add);
                assertThat(records).hasSizeGreaterThanOrEqualTo(expected);
            });
        }
        return records;
    }

    private static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
