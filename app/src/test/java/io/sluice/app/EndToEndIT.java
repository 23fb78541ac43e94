package io.sluice.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sluice.app.load.OutcomeTracker;
import io.sluice.app.runtime.SluiceRuntime;
import io.sluice.config.SluiceConfig;
import io.sluice.config.SluiceConfigDef;
import io.sluice.schemas.ChatMessage;
import io.sluice.schemas.GenerationParams;
import io.sluice.schemas.PromptRequest;
import io.sluice.schemas.SluiceHeaders;
import io.sluice.simulator.SimulatorSettings;
import io.sluice.testkit.PromptRequests;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The whole pipeline on a real broker: every kind of request ends in exactly one outcome. */
class EndToEndIT {
    @RegisterExtension
    static final TestCluster cluster = new TestCluster();

    @Test
    @DisplayName("answers, rejects or dead-letters every request exactly once, poison records with their original bytes")
    void everyRequestEndsInExactlyOneOutcome() {
        SluiceConfig config = cluster.config("e2e", Map.of(SluiceConfigDef.LIMIT_USER_RPM, 5));
        long minute = Instant.now().toEpochMilli() / 60_000 * 60_000;
        try (SluiceRuntime runtime = SluiceRuntime.start(config, SimulatorSettings.defaults());
             OutcomeTracker tracker = new OutcomeTracker(runtime.adminConfig(), runtime.topics());
             Traffic traffic = new Traffic(runtime, tracker)) {
            // Given 6 users sending 8 requests each within one minute, against a limit of 5 per minute
            for (int user = 0; user < 6; user++) {
                for (int i = 0; i < 8; i++) {
                    traffic.send(PromptRequests.valid("acme", "user-" + user,
                            Instant.ofEpochMilli(minute + user * 100 + i)).build());
                }
            }
            // and 4 requests with blank content, 5 records that cannot be read, and a tombstone
            for (int i = 0; i < 4; i++) {
                traffic.send(PromptRequests.valid("acme", "blank-" + i, Instant.ofEpochMilli(minute))
                        .setMessages(List.of(new ChatMessage("user", " "))).build());
            }
            List<byte[]> poison = new ArrayList<>();
            byte[] valid = runtime.topics().requests().valueSerde().serializer().serialize(
                    runtime.topics().requests().name(), PromptRequests.valid("acme", "x", Instant.now()).build());
            poison.add("{\"not\": \"avro\"}".getBytes(StandardCharsets.UTF_8)); // wrong magic byte
            poison.add(new byte[] {0, 0, 1}); // shorter than the 5-byte header
            poison.add(ByteBuffer.allocate(valid.length).put(valid).putInt(1, 99_999).array()); // unknown schema id
            poison.add(Arrays.copyOf(valid, valid.length / 2)); // truncated Avro body
            poison.add(new byte[0]); // empty value
            for (int i = 0; i < poison.size(); i++) {
                traffic.send("poison-" + i, minute, poison.get(i));
            }
            traffic.send("tombstone-0", minute, null);

            // When the pipeline has had time to settle every one
            traffic.awaitOutcomes(Duration.ofSeconds(90));

            // Then each has exactly one outcome of the expected kind
            assertThat(tracker.responsesByStatus()).isEqualTo(Map.of("OK", 30));
            assertThat(tracker.rejectionsByReason()).isEqualTo(Map.of("RATE_LIMITED", 18, "EMPTY_MESSAGES", 4));
            assertThat(tracker.deadLettersByReason()).isEqualTo(Map.of("POISON_RECORD", 6));
            assertThat(tracker.duplicates()).isZero();
            // and the dead letters hold the original key and bytes, where they came from and why
            List<ConsumerRecord<String, byte[]>> letters = readAll(runtime, runtime.topics().deadLetter().name(), 6);
            List<ConsumerRecord<String, byte[]>> undecodable = letters.stream()
                    .filter(letter -> letter.key().startsWith("poison-")).toList();
            assertThat(undecodable).extracting(ConsumerRecord::value).containsExactlyInAnyOrderElementsOf(poison);
            assertThat(undecodable).allSatisfy(letter -> {
                assertThat(SluiceHeaders.get(letter.headers(), SluiceHeaders.ERROR_TOPIC))
                        .isEqualTo(runtime.topics().requests().name());
                assertThat(SluiceHeaders.get(letter.headers(), SluiceHeaders.ERROR_PARTITION)).isNotBlank();
                assertThat(SluiceHeaders.get(letter.headers(), SluiceHeaders.ERROR_OFFSET)).isNotBlank();
                assertThat(SluiceHeaders.get(letter.headers(), SluiceHeaders.ERROR_EXCEPTION)).isNotBlank();
            });
            assertThat(undecodable).extracting(l -> SluiceHeaders.get(l.headers(), SluiceHeaders.ERROR_MESSAGE))
                    .anySatisfy(m -> assertThat(m).contains("magic byte"))
                    .anySatisfy(m -> assertThat(m).contains("shorter than the 5-byte header"))
                    .anySatisfy(m -> assertThat(m).contains("99999"))
                    .anySatisfy(m -> assertThat(m).contains("Could not Avro-decode"));
            assertThat(letters).filteredOn(letter -> letter.key().equals("tombstone-0")).singleElement()
                    .satisfies(letter -> assertThat(SluiceHeaders.get(letter.headers(), SluiceHeaders.ERROR_MESSAGE))
                            .contains("tombstone"));
        }
    }

    @Test
    @DisplayName("serves a tenant's repeated deterministic prompt from the response cache whatever partition its"
            + " request id lands on")
    void cacheServesATenantOnEveryPartition() {
        SluiceConfig config = cluster.config("cache", Map.of("routes.cache.default", "on"));
        try (SluiceRuntime runtime = SluiceRuntime.start(config, SimulatorSettings.defaults());
             OutcomeTracker tracker = new OutcomeTracker(runtime.adminConfig(), runtime.topics());
             Traffic traffic = new Traffic(runtime, tracker)) {
            // Given one answered deterministic prompt (temperature 0)
            traffic.send(deterministic("first").build());
            traffic.awaitOutcomes(Duration.ofSeconds(60));

            // When users of the same tenant send it again under 12 request ids, which spread over the 3 partitions
            for (int i = 0; i < 12; i++) {
                traffic.send(deterministic("again-" + i).build());
            }
            traffic.awaitOutcomes(Duration.ofSeconds(60));

            // Then the provider answered once, and the cache every repeat
            assertThat(tracker.responsesByStatus()).isEqualTo(Map.of("OK", 1, "CACHED", 12));
        }
    }

    private static PromptRequest.Builder deterministic(String user) {
        return PromptRequests.valid("acme", user, Instant.now())
                .setParams(new GenerationParams(64, 0.0, null, List.of()));
    }

    static List<ConsumerRecord<String, byte[]>> readAll(SluiceRuntime runtime, String topic, int expected) {
        Map<String, Object> props = new HashMap<>(runtime.adminConfig());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "reader-" + topic);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
                return records.size() >= expected;
            });
        }
        return records;
    }
}
