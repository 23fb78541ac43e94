package io.sluice.embedded.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sluice.embedded.kafka.EmbeddedKafkaBroker;
import io.sluice.registry.RestSchemaRegistryClient;
import io.sluice.schemas.ChatMessage;
import io.sluice.schemas.GenerationParams;
import io.sluice.schemas.PromptRequest;
import io.sluice.serde.SpecificAvroDeserializer;
import io.sluice.serde.SpecificAvroSerializer;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Sluice's Confluent-wire serde through a real topic, with schemas held by the embedded registry. */
class SerdeThroughEmbeddedRegistryTest {
    private static final String TOPIC = "prompt-requests";

    @TempDir
    static Path dir;
    static EmbeddedKafkaBroker broker;
    static EmbeddedSchemaRegistry registry;

    @BeforeAll
    static void start() throws Exception {
        broker = new EmbeddedKafkaBroker(dir, 0).start();
        registry = EmbeddedSchemaRegistry.start(broker.bootstrapServers(), 0);
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1))).all().get();
        }
    }

    @AfterAll
    static void stop() {
        if (registry != null) {
            registry.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void readsBackAPromptRequestAProducerWroteThroughTheRegistry() {
        // Given a PromptRequest with every field set
        PromptRequest sent = PromptRequest.newBuilder()
                .setRequestId("req-1").setTenantId("acme").setUserId("u-7").setAppId("support-bot")
                .setCreatedAt(Instant.ofEpochMilli(1_767_225_600_123L)).setRoute("fast-chat")
                .setMessages(List.of(new ChatMessage("system", "Be brief."), new ChatMessage("user", "Héllo ✓")))
                .setParams(GenerationParams.newBuilder().setMaxTokens(256).setTemperature(0.2)
                        .setStop(List.of("\n\n")).build())
                .setMetadata(Map.of("ticket", "T-42"))
                .setDeadline(Instant.ofEpochMilli(1_767_225_660_000L))
                .build();

        // When a producer writes it with the serializer and a consumer reads it with the deserializer,
        // each with its own registry client
        try (KafkaProducer<String, PromptRequest> producer = new KafkaProducer<>(
                Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()), new StringSerializer(),
                new SpecificAvroSerializer<PromptRequest>(new RestSchemaRegistryClient(registry.url()), false))) {
            producer.send(new ProducerRecord<>(TOPIC, "req-1", sent)).get();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        List<PromptRequest> received = readAll(new SpecificAvroDeserializer<>(
                new RestSchemaRegistryClient(registry.url()), PromptRequest.class));

        // Then the record read is the record written, and its schema is registered under the topic's value subject
        assertThat(received).containsExactly(sent);
        int id = new RestSchemaRegistryClient(registry.url()).lookup(TOPIC + "-value", PromptRequest.getClassSchema())
                .orElseThrow();
        assertThat(schemaIdsOnTheTopic()).containsExactly(id);
    }

    private static List<PromptRequest> readAll(SpecificAvroDeserializer<PromptRequest> deserializer) {
        List<PromptRequest> received = new ArrayList<>();
        try (KafkaConsumer<String, PromptRequest> consumer = new KafkaConsumer<>(consumerConfig(),
                new StringDeserializer(), deserializer)) {
            consumer.subscribe(Set.of(TOPIC));
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                consumer.poll(Duration.ofMillis(100)).forEach(r -> received.add(r.value()));
                assertThat(received).isNotEmpty();
            });
        }
        return received;
    }

    /** The schema id in each record's Confluent header, read from the raw bytes. */
    private static List<Integer> schemaIdsOnTheTopic() {
        List<Integer> ids = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerConfig(),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(Set.of(TOPIC));
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                    assertThat(r.value()[0]).isZero();
                    ids.add(ByteBuffer.wrap(r.value(), 1, 4).getInt());
                }
                assertThat(ids).isNotEmpty();
            });
        }
        return ids;
    }

    private static Map<String, Object> consumerConfig() {
        return Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "reader-" + System.nanoTime(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    }
}
