package io.sluice.app.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sluice.app.Http;
import io.sluice.app.Cli;
import io.sluice.app.SluiceProcess;
import io.sluice.app.TestCluster;
import io.sluice.app.Traffic;
import io.sluice.app.load.OutcomeTracker;
import io.sluice.config.SluiceConfig;
import io.sluice.config.SluiceConfigDef;
import io.sluice.embedded.kafka.EmbeddedKafkaBroker;
import io.sluice.embedded.registry.EmbeddedSchemaRegistry;
import io.sluice.schemas.AuditRecord;
import io.sluice.simulator.ProviderSimulator;
import io.sluice.simulator.SimulatorSettings;
import io.sluice.testkit.PromptRequests;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TransactionDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * A hanging transaction (open on a partition, unknown to its coordinator) on one of Sluice's output partitions stops
 * every read_committed reader of it for good. Sluice must abort the ones it can prove safe by itself, with an audit
 * record, and name the others in {@code /health/ready} and {@code sluice doctor} instead of staying silent.
 */
class HangingTransactionIT {
    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    static Path dir;
    private static EmbeddedKafkaBroker broker;
    private static EmbeddedSchemaRegistry registry;
    private static ProviderSimulator simulator;

    @BeforeAll
    static void cluster() throws Exception {
        // without partition verification the broker appends a transactional batch the coordinator never saw
        broker = new EmbeddedKafkaBroker(dir.resolve("kafka"), 0)
                .withSettings(Map.of("transaction.partition.verification.enable", "false")).start();
        registry = EmbeddedSchemaRegistry.start(broker.bootstrapServers(), 0);
        simulator = ProviderSimulator.start(SimulatorSettings.defaults(), 0);
    }

    @AfterAll
    static void stop() {
        simulator.close();
        registry.close();
        broker.close();
    }

    private static SluiceConfig config(String name) {
        return TestCluster.config(broker.bootstrapServers(), registry.url(), simulator, dir, name, Map.of(
                SluiceConfigDef.TOPICS_PARTITIONS, 2, SluiceConfigDef.LIMIT_USER_RPM, 100_000));
    }

    @Test
    @DisplayName("aborts by itself a hanging transaction of its own producer that has moved on, with an audit record,"
            + " and the requests behind it are answered")
    void abortsItsOwnHangingTransaction() throws Exception {
        SluiceConfig config = config("selfheal");
        try (SluiceRuntime runtime = SluiceRuntime.start(config, SimulatorSettings.defaults());
             Admin admin = Admin.create(runtime.adminConfig());
             OutcomeTracker tracker = new OutcomeTracker(runtime.adminConfig(), runtime.topics());
             Traffic traffic = new Traffic(runtime, tracker)) {
            runtime.awaitRunning(Duration.ofMinutes(2));
            String responses = runtime.topics().responses().name();
            // Given a stream-thread producer of this application whose transaction on responses-0 its coordinator
            // never heard of, and which was re-initialized since (as a restarted thread's is)
            String transactionalId = "sluice-selfheal-" + java.util.UUID.randomUUID() + "-9";
            TransactionDescription before = initProducer(admin, runtime, transactionalId);
            HangingTransaction.open(broker.bootstrapServers(), responses, 0, before.producerId(),
                    (short) before.producerEpoch(), transactionalId);
            initProducer(admin, runtime, transactionalId);
            assertThat(openOn(admin, new TopicPartition(responses, 0))).isTrue();

            // When requests are answered on both partitions
            for (int i = 0; i < 20; i++) {
                traffic.send(PromptRequests.valid("acme", "user-" + i));
            }

            // Then Sluice aborts the hanging transaction by itself, and every answer reaches a read_committed reader
            traffic.awaitOutcomes(Duration.ofSeconds(90));
            assertThat(tracker.responsesByStatus()).isEqualTo(Map.of("OK", 20));
            assertThat(openOn(admin, new TopicPartition(responses, 0))).isFalse();
            // And the audit trail says what was aborted and why
            List<AuditRecord> aborts = auditRecords(runtime, TransactionWatch.AUDIT_ACTION);
            assertThat(aborts).hasSize(1);
            assertThat(aborts.get(0).getActor()).isEqualTo("sluice");
            assertThat(aborts.get(0).getDetails()).containsEntry("partition", responses + "-0")
                    .containsEntry("transactionalId", transactionalId);
            assertThat(aborts.get(0).getReason()).contains("re-initialized");
            assertThat(Http.get(runtime.httpUrl() + "/health/ready").status()).isEqualTo(200);
        }
    }

    @Test
    @DisplayName("names a hanging transaction it cannot prove safe in /health/ready and in sluice doctor, which"
            + " aborts it only when forced")
    void reportsWhatItWillNotAbort() throws Exception {
        SluiceConfig config = config("report");
        try (SluiceRuntime runtime = SluiceRuntime.start(config, SimulatorSettings.defaults());
             Admin admin = Admin.create(runtime.adminConfig())) {
            runtime.awaitRunning(Duration.ofMinutes(2));
            TopicPartition blocked = new TopicPartition(runtime.topics().responses().name(), 1);
            // Given a transaction on responses-1 from a producer no coordinator knows
            HangingTransaction.open(broker.bootstrapServers(), blocked.topic(), 1, 987_654_321L, (short) 0,
                    "not-a-sluice-producer");
            // and, on responses-0, a transaction its coordinator knows and will end, left open meanwhile
            Map<String, Object> props = new HashMap<>(runtime.adminConfig());
            props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "slow-writer");
            KafkaProducer<byte[], byte[]> slow = new KafkaProducer<>(props, new ByteArraySerializer(),
                    new ByteArraySerializer());
            slow.initTransactions();
            slow.beginTransaction();
            slow.send(new org.apache.kafka.clients.producer.ProducerRecord<>(blocked.topic(), 0, null,
                    "slow".getBytes(java.nio.charset.StandardCharsets.UTF_8))).get();

            // Then readiness turns DOWN and names it, with what to run
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                Http.Answer ready = Http.get(runtime.httpUrl() + "/health/ready");
                assertThat(ready.status()).isEqualTo(503);
                assertThat(ready.json().path("blockedBy").toString()).contains(blocked.toString())
                        .contains("987654321");
                assertThat(ready.json().path("action").asText()).contains("./sluice doctor");
            });
            assertThat(openOn(admin, blocked)).as("not aborted without an operator").isTrue();

            // And sluice doctor lists it as unsafe and says how to abort it
            Path file = SluiceProcess.propertiesFile(runtime.config(), dir);
            StringWriter out = new StringWriter();
            assertThat(doctor(out, "-c", file.toString())).isEqualTo(1);
            assertThat(out.toString()).contains("[unsafe]").contains(blocked.toString())
                    .contains("--abort --force --why");
            // and names the open transaction its coordinator will end, apart from the hanging ones
            assertThat(out.toString()).contains("which their coordinator will end")
                    .contains(new TopicPartition(blocked.topic(), 0).toString()).contains("slow-writer");
            slow.abortTransaction();
            slow.close();
            // And only --force --why aborts it, for the audit trail
            assertThat(doctor(new StringWriter(), "-c", file.toString(), "--abort")).isEqualTo(1);
            assertThat(openOn(admin, blocked)).isTrue();
            StringWriter forced = new StringWriter();
            assertThat(doctor(forced, "-c", file.toString(), "--abort", "--force",
                    "--why", "producer of a deleted app")).isEqualTo(0);
            assertThat(openOn(admin, blocked)).isFalse();
            AuditRecord audit = auditRecords(runtime, TransactionWatch.AUDIT_ACTION).get(0);
            assertThat(audit.getActor()).as("who the credentials say: here the OS user")
                    .isEqualTo("os:" + System.getProperty("user.name"));
            assertThat(audit.getReason()).contains("producer of a deleted app");
            await().atMost(Duration.ofSeconds(40)).until(() ->
                    Http.get(runtime.httpUrl() + "/health/ready").status() == 200);
        }
    }

    @Test
    @DisplayName("a COMMIT marker written for a hanging transaction makes its records visible to read_committed"
            + " readers (what a coordinator that prepared a commit failed to write)")
    void commitMarkerCommitsTheRecords() throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
            admin.createTopics(List.of(new org.apache.kafka.clients.admin.NewTopic("marker-test", 1, (short) 1)))
                    .all().get();
            TopicPartition partition = new TopicPartition("marker-test", 0);
            HangingTransaction.open(broker.bootstrapServers(), partition.topic(), 0, 555_555L, (short) 3, "x");
            assertThat(openOn(admin, partition)).isTrue();
            assertThat(readCommitted(partition)).isEmpty();

            CommitMarker.write(admin, partition, 555_555L, 3, 0);

            assertThat(openOn(admin, partition)).isFalse();
            assertThat(readCommitted(partition)).containsExactly("hanging");
        }
    }

    private static List<String> readCommitted(TopicPartition partition) {
        Map<String, Object> props = new HashMap<>(Map.of("bootstrap.servers", broker.bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"));
        List<String> keys = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            // read_committed: the end is the last stable offset, before any open transaction
            long end = consumer.endOffsets(List.of(partition)).get(partition);
            long until = System.currentTimeMillis() + 30_000;
            while (consumer.position(partition) < end && System.currentTimeMillis() < until) {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> keys.add(r.key()));
            }
        }
        return keys;
    }

    private static int doctor(StringWriter out, String... args) {
        CommandLine cli = Cli.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(out, true));
        String[] all = new String[args.length + 1];
        all[0] = "doctor";
        System.arraycopy(args, 0, all, 1, args.length);
        return cli.execute(all);
    }

    /** Starts (or restarts, fencing the previous one) a transactional producer and returns its coordinator state. */
    private static TransactionDescription initProducer(Admin admin, SluiceRuntime runtime, String transactionalId)
            throws Exception {
        Map<String, Object> props = new HashMap<>(runtime.adminConfig());
        props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props, new ByteArraySerializer(),
                new ByteArraySerializer())) {
            producer.initTransactions();
        }
        return admin.describeTransactions(List.of(transactionalId)).all().get().get(transactionalId);
    }

    private static boolean openOn(Admin admin, TopicPartition partition) throws Exception {
        return admin.describeProducers(List.of(partition)).all().get().get(partition).activeProducers().stream()
                .anyMatch(p -> p.currentTransactionStartOffset().isPresent());
    }

    private static List<AuditRecord> auditRecords(SluiceRuntime runtime, String action) {
        Map<String, Object> props = new HashMap<>(runtime.adminConfig());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "audit-reader-" + System.nanoTime());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        List<AuditRecord> found = new ArrayList<>();
        var values = runtime.topics().audit().valueSerde().deserializer();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
            consumer.subscribe(List.of(runtime.topics().audit().name()));
            long until = System.currentTimeMillis() + 60_000;
            while (found.isEmpty() && System.currentTimeMillis() < until) {
                consumer.poll(Duration.ofMillis(500)).forEach(r -> {
                    AuditRecord a = values.deserialize(r.topic(), r.value());
                    if (a.getAction().equals(action)) {
                        found.add(a);
                    }
                });
            }
        }
        return found;
    }
}
