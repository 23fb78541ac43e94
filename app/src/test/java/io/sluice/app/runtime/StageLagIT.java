package io.sluice.app.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.app.TestCluster;
import io.sluice.config.SluiceConfig;
import io.sluice.registry.InMemorySchemaRegistryClient;
import io.sluice.topics.SluiceTopics;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The backlog in front of each stage, as an operator sees it in /metrics and in ./sluice load's progress. */
class StageLagIT {
    @RegisterExtension
    static final TestCluster cluster = new TestCluster();

    @Test
    @DisplayName("records not yet committed by the application count as waiting in front of the stage that reads them")
    void countsWaitingRecordsByStage() throws Exception {
        // Given a requests topic with 10 records of which the application committed 4, and a by-tenant repartition
        // topic with 3 records of which it committed none
        SluiceConfig config = cluster.config("lag", Map.of());
        SluiceTopics topics = SluiceTopics.from(config, new InMemorySchemaRegistryClient());
        String requests = topics.requests().name();
        String byTenant = "sluice-lag-by-tenant-repartition";
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic(requests, 1, (short) 1), new NewTopic(byTenant, 1, (short) 1)))
                    .all().get();
            try (KafkaProducer<String, String> producer = producer()) {
                for (int i = 0; i < 10; i++) {
                    producer.send(new ProducerRecord<>(requests, "r" + i, "v"));
                }
                for (int i = 0; i < 3; i++) {
                    producer.send(new ProducerRecord<>(byTenant, "t" + i, "v"));
                }
            }
            admin.alterConsumerGroupOffsets("sluice-lag", Map.of(
                    new TopicPartition(requests, 0), new OffsetAndMetadata(4),
                    new TopicPartition(byTenant, 0), new OffsetAndMetadata(0))).all().get();

            // When the stages' lag is sampled
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            try (StageLag lag = StageLag.of(admin, config, topics, Duration.ofMillis(200), registry, "test-lag")) {

                // Then each stage shows its own backlog, in the samples and as gauges
                await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                        assertThat(lag.latest()).containsEntry("sanitize", 6L).containsEntry("limits-and-call", 3L));
                assertThat(lag.latestTotal()).isEqualTo(9);
                assertThat(lag.max().maxPartition()).isEqualTo(6);
                assertThat(registry.get("sluice.stage.lag").tag("stage", "sanitize").gauge().value()).isEqualTo(6);
                assertThat(registry.get("sluice.stage.lag").tag("stage", "limits-and-call").gauge().value()).isEqualTo(3);
            }
        }
    }

    @Test
    @DisplayName("sizes the dead-letter topic as a replay would read it: log start to end, over every partition")
    void sizesTheDeadLetterTopic() throws Exception {
        // Given a dead-letter topic with 5 records on one partition, 3 on the other, and the first 2 of the first
        // deleted (as retention would)
        SluiceConfig config = cluster.config("dlq-size", Map.of());
        SluiceTopics topics = SluiceTopics.from(config, new InMemorySchemaRegistryClient());
        String deadLetters = topics.deadLetter().name();
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic(deadLetters, 2, (short) 1))).all().get();
            try (KafkaProducer<String, String> producer = producer()) {
                for (int i = 0; i < 8; i++) {
                    producer.send(new ProducerRecord<>(deadLetters, i < 5 ? 0 : 1, "r" + i, "v"));
                }
            }
            admin.deleteRecords(Map.of(new TopicPartition(deadLetters, 0), RecordsToDelete.beforeOffset(2)))
                    .all().get();

            // When the stages are sampled
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            try (StageLag lag = StageLag.of(admin, config, topics, Duration.ofMillis(200), registry, "test-dlq")) {

                // Then the gauge says 6 records wait there
                await().atMost(Duration.ofSeconds(20)).until(() -> lag.deadLetters() == 6);
                assertThat(registry.get(StageLag.DEAD_LETTER_METRIC).gauge().value()).isEqualTo(6);
            }
        }
    }

    @Test
    @DisplayName("names each input topic by the stage that reads it")
    void namesStages() {
        assertThat(StageLag.stageOf("sluice.requests", "sluice", "sluice.requests")).isEqualTo("sanitize");
        assertThat(StageLag.stageOf("sluice-by-tenant-repartition", "sluice", "sluice.requests"))
                .isEqualTo("limits-and-call");
        assertThat(StageLag.stageOf("sluice-accounting-by-tenant-repartition", "sluice", "sluice.requests"))
                .isEqualTo("accounting-usage");
        assertThat(StageLag.stageOf("sluice.retry-1", "sluice", "sluice.requests")).isEqualTo("sluice.retry-1");
    }

    private static Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.broker.bootstrapServers()));
    }

    private static KafkaProducer<String, String> producer() {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.broker.bootstrapServers()),
                new StringSerializer(), new StringSerializer());
    }
}
