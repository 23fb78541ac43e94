package io.sluice.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.sluice.app.runtime.SluiceRuntime;
import io.sluice.config.SluiceConfig;
import io.sluice.config.SluiceConfigDef;
import io.sluice.embedded.kafka.EmbeddedKafkaBroker;
import io.sluice.embedded.registry.EmbeddedSchemaRegistry;
import io.sluice.schemas.PromptRequest;
import io.sluice.schemas.PromptResponse;
import io.sluice.simulator.ProviderSimulator;
import io.sluice.simulator.SimulatorSettings;
import io.sluice.testkit.PromptRequests;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Sluice on a broker that authenticates with SASL/SCRAM and refuses what no ACL allows, with the ACL set
 * {@code ./sluice acls --apply} creates: Sluice runs as its own principal, a producer app's principal can submit
 * and read outcomes, and every other write or read it tries is refused.
 */
class SecuredClusterIT {
    @TempDir
    Path dir;

    @Test
    @DisplayName("on SASL with ACLs: Sluice answers the producer's request; the producer cannot touch Sluice's other topics")
    void aclsAllowWhatIsNeededAndRefuseTheRest() throws Exception {
        try (EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker(dir.resolve("broker"), 0).secured("admin", Map.of(
                        "admin", "admin-secret", "sluice", "sluice-secret", "acme-app", "acme-secret")).start();
             EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.start(broker.clientSettings("admin"), 0,
                     EmbeddedSchemaRegistry.DEFAULT_TOPIC);
             ProviderSimulator simulator = ProviderSimulator.start(SimulatorSettings.defaults(), 0)) {
            SluiceConfig base = TestCluster.config(broker.bootstrapServers(), registry.url(), simulator, dir, "secure",
                    Map.of());
            SluiceConfig asAdmin = base.with(kafka(broker.clientSettings("admin")));
            SluiceConfig asSluice = base.with(kafka(broker.clientSettings("sluice")));

            // Given the ACLs applied by an administrator
            StringWriter out = new StringWriter();
            int exit = new CommandLine(new SluiceCli()).setOut(new PrintWriter(out)).execute("acls", "--config",
                    SluiceProcess.propertiesFile(asAdmin, dir.resolve("admin")).toString(), "--sluice", "User:sluice",
                    "--producer", "User:acme-app", "--apply");
            assertThat(exit).as(out.toString()).isZero();
            assertThat(out.toString()).contains("ALLOW User:acme-app WRITE on TOPIC LITERAL 'secure.requests'");

            // and Sluice running as its own principal
            try (SluiceRuntime sluice = SluiceRuntime.start(asSluice, SimulatorSettings.defaults());
                 KafkaProducer<String, byte[]> acme = new KafkaProducer<>(producer(broker), new StringSerializer(),
                         new ByteArraySerializer())) {
                sluice.awaitRunning(Duration.ofSeconds(90));
                var requests = sluice.topics().requests();
                PromptRequest request = PromptRequests.valid("acme", "alice");
                byte[] bytes = requests.valueSerde().serializer().serialize(requests.name(), request);

                // When the producer app submits a request, it is answered, and the app reads its answer
                acme.send(new ProducerRecord<>(requests.name(), request.getRequestId(), bytes)).get();
                List<PromptResponse> answers = readAs(broker, "acme-app-reader", sluice.topics().responses().name(),
                        1).stream().map(r -> sluice.topics().responses().valueSerde().deserializer()
                                .deserialize(r.topic(), r.value())).toList();
                assertThat(answers).singleElement().satisfies(a ->
                        assertThat(a.getRequestId()).isEqualTo(request.getRequestId()));

                // Then every write to Sluice's other topics is refused: a retry tier (skips every check), the
                // budget events (forged alerts), an internal topic
                for (String forbidden : List.of(sluice.topics().retryTopics().getFirst(),
                        sluice.topics().budgetEvents().name(), "sluice-secure-by-tenant-repartition")) {
                    assertThatThrownBy(() -> acme.send(new ProducerRecord<>(forbidden, "x", bytes)).get())
                            .as(forbidden).isInstanceOf(ExecutionException.class)
                            .cause().isInstanceOf(TopicAuthorizationException.class);
                }
                // and reading them, or reading under a group not named after the app
                assertThatThrownBy(() -> readAs(broker, "acme-app-spy", sluice.topics().usage().name(), 1))
                        .isInstanceOf(TopicAuthorizationException.class);
                assertThatThrownBy(() -> readAs(broker, "someone-else", sluice.topics().responses().name(), 1))
                        .isInstanceOf(GroupAuthorizationException.class);
                // and nothing was lost on the way: the one request has its one answer
                assertThat(readAs(broker, "acme-app-recount", sluice.topics().responses().name(), 1)).hasSize(1);
            }
        }
    }

    @Test
    @DisplayName("a tenant's own topics: its producer submits and reads for that tenant only; claiming another is rejected")
    void tenantBoundToItsProducer() throws Exception {
        try (EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker(dir.resolve("broker"), 0).secured("admin", Map.of(
                        "admin", "admin-secret", "sluice", "sluice-secret", "acme-app", "acme-secret")).start();
             EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.start(broker.clientSettings("admin"), 0,
                     EmbeddedSchemaRegistry.DEFAULT_TOPIC);
             ProviderSimulator simulator = ProviderSimulator.start(SimulatorSettings.defaults(), 0)) {
            SluiceConfig base = TestCluster.config(broker.bootstrapServers(), registry.url(), simulator, dir, "bound",
                    Map.of(SluiceConfigDef.INTAKE_TENANT_TOPICS, "acme,globex"));
            // Given acme-app allowed acme's topics only
            int exit = new CommandLine(new SluiceCli()).execute("acls", "--config", SluiceProcess.propertiesFile(
                            base.with(kafka(broker.clientSettings("admin"))), dir.resolve("admin")).toString(),
                    "--sluice", "User:sluice", "--producer", "User:acme-app=acme", "--apply");
            assertThat(exit).isZero();
            try (SluiceRuntime sluice = SluiceRuntime.start(base.with(kafka(broker.clientSettings("sluice"))),
                    SimulatorSettings.defaults());
                 KafkaProducer<String, byte[]> acme = new KafkaProducer<>(producer(broker), new StringSerializer(),
                         new ByteArraySerializer())) {
                sluice.awaitRunning(Duration.ofSeconds(90));
                var topics = sluice.topics();
                var serializer = topics.requests().valueSerde().serializer();
                PromptRequest own = PromptRequests.valid("acme", "alice");
                PromptRequest claimed = PromptRequests.valid("globex", "mallory");

                // When it submits one request for acme and one claiming globex, on acme's topic
                String acmeTopic = topics.requestsOf("acme");
                acme.send(new ProducerRecord<>(acmeTopic, own.getRequestId(), serializer.serialize(acmeTopic, own)))
                        .get();
                acme.send(new ProducerRecord<>(acmeTopic, claimed.getRequestId(),
                        serializer.serialize(acmeTopic, claimed))).get();

                // Then acme's is answered on acme's responses topic, and the claim is rejected to acme, saying why
                PromptResponse answer = topics.responses().valueSerde().deserializer().deserialize(null,
                        readAs(broker, "acme-app-answers", topics.responsesOf("acme"), 1).getFirst().value());
                assertThat(answer.getRequestId()).isEqualTo(own.getRequestId());
                var rejection = topics.rejected().valueSerde().deserializer().deserialize(null,
                        readAs(broker, "acme-app-rejections", topics.rejectedOf("acme"), 1).getFirst().value());
                assertThat(rejection.getRequestId()).isEqualTo(claimed.getRequestId());
                assertThat(rejection.getReason().name()).isEqualTo("TENANT_MISMATCH");
                assertThat(rejection.getTenantId()).isEqualTo("acme");
                // and the app can neither write the shared requests topic or globex's, nor read others' outcomes
                for (String forbidden : List.of(topics.requests().name(), topics.requestsOf("globex"))) {
                    assertThatThrownBy(() -> acme.send(new ProducerRecord<>(forbidden, "x", new byte[] {0})).get())
                            .as(forbidden).isInstanceOf(ExecutionException.class)
                            .cause().isInstanceOf(TopicAuthorizationException.class);
                }
                for (String forbidden : List.of(topics.responses().name(), topics.responsesOf("globex"))) {
                    assertThatThrownBy(() -> readAs(broker, "acme-app-" + forbidden, forbidden, 1)).as(forbidden)
                            .isInstanceOf(TopicAuthorizationException.class);
                }
            }
        }
    }

    /** Client settings as Sluice configuration: {@code kafka.}-prefixed, the bootstrap servers left out. */
    static Map<String, Object> kafka(Map<String, Object> client) {
        Map<String, Object> prefixed = new HashMap<>();
        client.forEach((key, value) -> {
            if (!key.equals("bootstrap.servers")) {
                prefixed.put("kafka." + key, value);
            }
        });
        return prefixed;
    }

    private static Map<String, Object> producer(EmbeddedKafkaBroker broker) {
        Map<String, Object> props = new HashMap<>(broker.clientSettings("acme-app"));
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 15_000);
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        return props;
    }

    /** Reads {@code expected} records of {@code topic} as the producer app, in group {@code group}. */
    private static List<ConsumerRecord<String, byte[]>> readAs(EmbeddedKafkaBroker broker, String group,
                                                               String topic, int expected) {
        Map<String, Object> props = new HashMap<>(broker.clientSettings("acme-app"));
        props.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            await().dontCatchUncaughtExceptions().atMost(Duration.ofSeconds(60)).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
                return records.size() >= expected;
            });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("read " + records.size() + " of " + expected + " from " + topic, e);
        }
        return records;
    }
}
