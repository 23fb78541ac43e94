package io.sluice.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.sluice.app.load.OutcomeTracker;
import io.sluice.app.runtime.SluiceRuntime;
import io.sluice.config.SluiceConfig;
import io.sluice.embedded.kafka.EmbeddedKafkaBroker;
import io.sluice.embedded.registry.EmbeddedSchemaRegistry;
import io.sluice.schemas.PromptRequest;
import io.sluice.simulator.ProviderSimulator;
import io.sluice.simulator.SimulatorSettings;
import io.sluice.testkit.PromptRequests;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Sluice on a broker that takes only clients with a certificate its CA signed (mTLS), whose principals are the
 * certificates' common names, and refuses what no ACL allows: the kafka.ssl.* settings reach every client Sluice
 * creates (Kafka Streams, admin clients, the acls tool), or it would not run.
 */
class MutualTlsIT {
    private static final String PASSWORD = "tls-secret";

    @TempDir
    Path dir;

    @Test
    @DisplayName("on mTLS with ACLs: Sluice runs as its certificate's name and answers; the producer is held to its ACLs")
    void mutualTls() throws Exception {
        Path ca = keytool("-genkeypair", "-alias", "ca", "-dname", "CN=test-ca", "-ext", "bc:c", "-keyalg", "EC",
                "-groupname", "secp256r1", "-validity", "2", "-storetype", "PKCS12", "-keystore", store("ca"),
                "-storepass", PASSWORD);
        keytool("-exportcert", "-rfc", "-alias", "ca", "-keystore", store("ca"), "-storepass", PASSWORD, "-file",
                file("ca.pem"));
        keytool("-importcert", "-noprompt", "-alias", "ca", "-file", file("ca.pem"), "-storetype", "PKCS12",
                "-keystore", store("trust"), "-storepass", PASSWORD);
        for (String name : List.of("broker", "admin", "sluice", "acme-app")) {
            certificate(name);
        }
        assertThat(ca).exists();

        try (EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker(dir.resolve("broker"), 0)) {
            int port = broker.port();
            Map<String, String> settings = new HashMap<>();
            settings.put("listeners", "SSL://localhost:" + port + ",CONTROLLER://localhost:" + controllerPort(broker));
            settings.put("advertised.listeners", "SSL://localhost:" + port);
            settings.put("inter.broker.listener.name", "SSL");
            settings.put("listener.security.protocol.map", "SSL:SSL,CONTROLLER:PLAINTEXT");
            settings.put("ssl.keystore.location", store("broker"));
            settings.put("ssl.keystore.password", PASSWORD);
            settings.put("ssl.truststore.location", store("trust"));
            settings.put("ssl.truststore.password", PASSWORD);
            settings.put("ssl.client.auth", "required");
            settings.put("ssl.principal.mapping.rules", "RULE:^CN=([^,]+)$/$1/,DEFAULT");
            settings.put("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
            // the broker itself (its certificate) and the controller listener of this one-node test cluster
            settings.put("super.users", "User:broker;User:admin;User:ANONYMOUS");
            settings.put("allow.everyone.if.no.acl.found", "false");
            broker.withSettings(settings).start();
            try (EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.start(client(broker, "admin"), 0,
                         EmbeddedSchemaRegistry.DEFAULT_TOPIC);
                 ProviderSimulator simulator = ProviderSimulator.start(SimulatorSettings.defaults(), 0)) {
                SluiceConfig base = TestCluster.config(broker.bootstrapServers(), registry.url(), simulator, dir,
                        "mtls", Map.of());
                int exit = new CommandLine(new SluiceCli()).execute("acls", "--config", SluiceProcess.propertiesFile(
                                base.with(SecuredClusterIT.kafka(client(broker, "admin"))), dir.resolve("admin")).toString(),
                        "--sluice", "User:sluice", "--producer", "User:acme-app", "--apply");
                assertThat(exit).isZero();

                try (SluiceRuntime sluice = SluiceRuntime.start(base.with(SecuredClusterIT.kafka(client(broker, "sluice"))),
                        SimulatorSettings.defaults());
                     OutcomeTracker tracker = new OutcomeTracker(client(broker, "admin"), sluice.topics());
                     KafkaProducer<String, byte[]> acme = new KafkaProducer<>(producer(broker),
                             new StringSerializer(), new ByteArraySerializer())) {
                    sluice.awaitRunning(Duration.ofSeconds(90));
                    var requests = sluice.topics().requests();
                    PromptRequest request = PromptRequests.valid("acme", "alice");
                    byte[] bytes = requests.valueSerde().serializer().serialize(requests.name(), request);

                    tracker.expect(request.getRequestId(), request.getCreatedAt().toEpochMilli());
                    acme.send(new ProducerRecord<>(requests.name(), request.getRequestId(), bytes)).get();
                    await().dontCatchUncaughtExceptions().atMost(Duration.ofSeconds(60)).until(() -> {
                        tracker.poll(Duration.ofMillis(200));
                        return tracker.waiting() == 0;
                    });
                    assertThat(tracker.responsesByStatus()).isEqualTo(Map.of("OK", 1));
                    assertThatThrownBy(() -> acme.send(new ProducerRecord<>(sluice.topics().retryTopics().getFirst(),
                            "x", bytes)).get()).isInstanceOf(ExecutionException.class)
                            .cause().isInstanceOf(TopicAuthorizationException.class);
                }
            }
        }
    }

    private void certificate(String name) throws Exception {
        List<String> san = name.equals("broker") ? List.of("-ext", "SAN=dns:localhost,ip:127.0.0.1") : List.of();
        keytool("-genkeypair", "-alias", name, "-dname", "CN=" + name, "-keyalg", "EC", "-groupname", "secp256r1",
                "-validity", "2", "-storetype", "PKCS12", "-keystore", store(name), "-storepass", PASSWORD);
        keytool("-certreq", "-alias", name, "-keystore", store(name), "-storepass", PASSWORD, "-file",
                file(name + ".csr"));
        List<String> sign = new ArrayList<>(List.of("-gencert", "-alias", "ca", "-keystore", store("ca"),
                "-storepass", PASSWORD, "-validity", "2", "-rfc", "-infile", file(name + ".csr"), "-outfile",
                file(name + ".pem")));
        sign.addAll(san);
        keytool(sign.toArray(String[]::new));
        keytool("-importcert", "-noprompt", "-alias", "ca", "-file", file("ca.pem"), "-keystore", store(name),
                "-storepass", PASSWORD);
        keytool("-importcert", "-alias", name, "-file", file(name + ".pem"), "-keystore", store(name), "-storepass",
                PASSWORD);
    }

    private Path keytool(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool")
                .toString()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        assertThat(process.waitFor()).as(String.join(" ", args) + ": " + output).isZero();
        return dir;
    }

    private String store(String name) {
        return file(name + ".p12");
    }

    private String file(String name) {
        return dir.resolve(name).toString();
    }

    private Map<String, Object> client(EmbeddedKafkaBroker broker, String name) {
        return Map.of("bootstrap.servers", broker.bootstrapServers(), "security.protocol", "SSL",
                "ssl.keystore.location", store(name), "ssl.keystore.password", PASSWORD,
                "ssl.truststore.location", store("trust"), "ssl.truststore.password", PASSWORD);
    }

    private Map<String, Object> producer(EmbeddedKafkaBroker broker) {
        Map<String, Object> props = new HashMap<>(client(broker, "acme-app"));
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 15_000);
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        return props;
    }

    private static int controllerPort(EmbeddedKafkaBroker broker) {
        return broker.controllerPort();
    }
}
