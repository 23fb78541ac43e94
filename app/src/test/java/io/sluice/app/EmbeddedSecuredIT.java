package io.sluice.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.app.load.OutcomeTracker;
import io.sluice.app.runtime.SluiceRuntime;
import io.sluice.config.SluiceConfig;
import io.sluice.config.SluiceConfigDef;
import io.sluice.schemas.PromptRequest;
import io.sluice.simulator.SimulatorSettings;
import io.sluice.testkit.PromptRequests;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.acl.AccessControlEntryFilter;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.resource.ResourcePatternFilter;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code ./sluice run} with {@code embedded.kafka.users}: the embedded broker asks who you are and what you may do. */
class EmbeddedSecuredIT {
    @TempDir
    Path dir;

    @Test
    @DisplayName("a secured embedded broker: Sluice runs as its administrator; a producer needs its ACLs to submit")
    void securedEmbeddedBroker() throws Exception {
        SluiceConfig config = SluiceConfig.of(Map.of(SluiceConfigDef.EMBEDDED_DATA_DIR, dir.resolve("kafka").toString(),
                SluiceConfigDef.EMBEDDED_KAFKA_PORT, 0, SluiceConfigDef.EMBEDDED_REGISTRY_PORT, 0,
                SluiceConfigDef.EMBEDDED_SIMULATOR_PORT, 0, SluiceConfigDef.HTTP_PORT, 0,
                SluiceConfigDef.STATE_DIR, dir.resolve("state").toString(),
                SluiceConfigDef.EMBEDDED_KAFKA_USERS, "admin:admin-secret,acme-app:acme-secret"));
        try (SluiceRuntime sluice = SluiceRuntime.start(config, SimulatorSettings.defaults());
             OutcomeTracker tracker = new OutcomeTracker(sluice.adminConfig(), sluice.topics())) {
            sluice.awaitRunning(Duration.ofSeconds(90));
            Map<String, Object> acme = new HashMap<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                    sluice.config().string(SluiceConfigDef.KAFKA_BOOTSTRAP_SERVERS), "security.protocol",
                    "SASL_PLAINTEXT", "sasl.mechanism", "SCRAM-SHA-256", "sasl.jaas.config",
                    "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"acme-app\""
                            + " password=\"acme-secret\";", ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000,
                    ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 15_000, ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG,
                    10_000));
            var requests = sluice.topics().requests();
            PromptRequest request = PromptRequests.valid("acme", "alice");
            byte[] bytes = requests.valueSerde().serializer().serialize(requests.name(), request);
            try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(acme, new StringSerializer(),
                    new ByteArraySerializer())) {
                // Given no ACL for the producer yet: its write is refused
                assertThatThrownBy(() -> producer.send(new ProducerRecord<>(requests.name(), "x", bytes)).get())
                        .isInstanceOf(ExecutionException.class).cause().isInstanceOf(TopicAuthorizationException.class);

                // When the administrator applies the producer's ACLs (with the credentials Sluice runs with)
                int exit = new CommandLine(new SluiceCli()).execute("acls", "--config", SluiceProcess.propertiesFile(
                                sluice.config(), dir.resolve("props")).toString(), "--sluice", "User:admin",
                        "--producer", "User:acme-app", "--apply");
                assertThat(exit).isZero();
                awaitEnforced(sluice, "User:acme-app");

                // Then its request is answered
                tracker.expect(request.getRequestId(), request.getCreatedAt().toEpochMilli());
                producer.send(new ProducerRecord<>(requests.name(), request.getRequestId(), bytes)).get();
                org.awaitility.Awaitility.await().dontCatchUncaughtExceptions().atMost(Duration.ofSeconds(60))
                        .until(() -> {
                            tracker.poll(Duration.ofMillis(200));
                            return tracker.waiting() == 0;
                        });
                assertThat(tracker.responsesByStatus()).isEqualTo(Map.of("OK", 1));
            }
        }
    }

    /**
     * Waits until the broker itself reports {@code principal}'s ACLs: createAcls returns once the controller has
     * committed them, and the broker that authorizes the next request may apply them a moment later.
     */
    private static void awaitEnforced(SluiceRuntime sluice, String principal) {
        AclBindingFilter filter = new AclBindingFilter(ResourcePatternFilter.ANY,
                new AccessControlEntryFilter(principal, null, AclOperation.ANY, AclPermissionType.ANY));
        try (Admin admin = Admin.create(sluice.adminConfig())) {
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30))
                    .until(() -> !admin.describeAcls(filter).values().get().isEmpty());
        }
    }
}
