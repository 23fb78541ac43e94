package io.sluice.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import io.sluice.app.runtime.BudgetEventWebhook;
import io.sluice.app.runtime.SluiceRuntime;
import io.sluice.config.SluiceConfig;
import io.sluice.schemas.BudgetEvent;
import io.sluice.schemas.BudgetEventKind;
import io.sluice.topics.SluiceTopics;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * Both ways a Sluice notification reaches the operators' webhook, tested against a local receiver: an alert through
 * a real Alertmanager running ops/alertmanager/alertmanager.yml, and a budget event through the forwarder of
 * {@code ./sluice alerts forward-budget-events}. Both arrive as Slack-compatible JSON.
 */
class AlertmanagerWebhookIT {
    private static final Path CONFIG = OpsTools.OPS.resolve("alertmanager/alertmanager.yml");
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final TestCluster cluster = new TestCluster();

    private HttpServer receiver;
    private final List<JsonNode> received = new CopyOnWriteArrayList<>();
    /** Requests the receiver refuses with 503 before it accepts any, to see deliveries retried. */
    private final AtomicInteger refuseFirst = new AtomicInteger();

    @BeforeEach
    void startReceiver() throws Exception {
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/hook", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            int status = refuseFirst.getAndDecrement() > 0 ? 503 : 200;
            if (status == 200) {
                received.add(JSON.readTree(body));
            }
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        receiver.start();
    }

    @AfterEach
    void stopReceiver() {
        receiver.stop(0);
    }

    private String hook() {
        return "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook";
    }

    @Test
    @DisplayName("amtool accepts ops/alertmanager/alertmanager.yml")
    void configIsValid() throws Exception {
        OpsTools.Result result = OpsTools.run(CONFIG.getParent(), Duration.ofMinutes(1),
                List.of(OpsTools.binary("amtool", "prometheus-alertmanager").toString(), "check-config",
                        CONFIG.toString()));

        assertThat(result.exitCode()).as(result.output()).isZero();
    }

    @Test
    @DisplayName("an alert posted to Alertmanager reaches the webhook as a Slack message with its summary and runbook")
    void alertReachesTheWebhook(@TempDir(cleanup = CleanupMode.ON_SUCCESS) Path dir) throws Exception {
        Path binary = OpsTools.binary("prometheus-alertmanager", "prometheus-alertmanager");
        // Given Alertmanager with ops/'s configuration, its webhook URL file naming the receiver, and short waits
        Path urlFile = Files.writeString(dir.resolve("webhook-url"), hook());
        ObjectNode config = (ObjectNode) OpsTools.yaml(CONFIG);
        ((ObjectNode) config.path("route")).put("group_wait", "1s").put("group_interval", "1s");
        ((ObjectNode) config.path("receivers").path(0).path("slack_configs").path(0))
                .put("api_url_file", urlFile.toString());
        Path configFile = dir.resolve("alertmanager.yml");
        OpsTools.YAML.writeValue(configFile.toFile(), config);
        int port = OpsTools.freePort();
        Process alertmanager = new ProcessBuilder(binary.toString(), "--config.file=" + configFile,
                "--storage.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:" + port,
                "--cluster.listen-address=").redirectErrorStream(true)
                .redirectOutput(dir.resolve("alertmanager.log").toFile()).start();
        try {
            String url = "http://127.0.0.1:" + port;
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                    .until(() -> Http.get(url + "/-/ready").status() == 200);
            // and a refused first delivery, which Alertmanager retries
            refuseFirst.set(1);

            // When an alert is posted to its API, as Prometheus does
            String alert = """
                    [{"labels": {"alertname": "SluiceCircuitOpen", "severity": "warning", "name": "openai:gpt-4o-mini"},
                      "annotations": {"summary": "Circuit openai:gpt-4o-mini keeps opening",
                                      "description": "calls to it are refused",
                                      "runbook_url": "ops/runbooks/SluiceCircuitOpen.md"}}]""";
            HttpResponse<String> posted = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                            URI.create(url + "/api/v2/alerts")).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(alert)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(posted.statusCode()).as(posted.body()).isEqualTo(200);

            // Then the receiver gets one Slack message with the alert's name, severity, summary and runbook
            await().atMost(Duration.ofSeconds(60)).until(() -> !received.isEmpty());
            JsonNode attachment = received.getFirst().path("attachments").path(0);
            assertThat(attachment.path("title").asText()).isEqualTo("[WARNING] SluiceCircuitOpen");
            assertThat(attachment.path("text").asText()).contains("Circuit openai:gpt-4o-mini keeps opening")
                    .contains("Runbook: ops/runbooks/SluiceCircuitOpen.md");
        } catch (AssertionError | RuntimeException e) {
            throw new AssertionError(e.getMessage() + "\nAlertmanager's log:\n"
                    + Files.readString(dir.resolve("alertmanager.log")), e);
        } finally {
            alertmanager.destroy();
            alertmanager.waitFor();
        }
    }

    @Test
    @DisplayName("a budget event on the topic reaches the webhook as a Slack message, delivered again after a refusal")
    void budgetEventReachesTheWebhook() throws Exception {
        // Given the forwarder on a Sluice's budget-events topic, and a webhook that refuses the first delivery
        SluiceConfig config = cluster.config("budget-hook", Map.of());
        SluiceTopics topics = SluiceTopics.from(config, SluiceRuntime.registryClient(config));
        Map<String, Object> client = SluiceRuntime.clientConfig(config);
        try (Admin admin = Admin.create(client)) {
            admin.createTopics(List.of(new NewTopic(topics.budgetEvents().name(), 1, (short) 1))).all().get();
        }
        refuseFirst.set(1);
        BudgetEventWebhook forwarder = new BudgetEventWebhook(client, topics.budgetEvents(), URI.create(hook()), true);
        AtomicReference<Instant> allDelivered = new AtomicReference<>(Instant.MIN);
        Thread running = Thread.ofPlatform().name("budget-webhook").start(() -> {
            try {
                forwarder.run(() -> allDelivered.set(Instant.now()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        try (KafkaProducer<String, BudgetEvent> producer = new KafkaProducer<>(client, new StringSerializer(),
                topics.budgetEvents().valueSerde().serializer())) {
            // When the budget stage emits a tenant's hard-limit event
            BudgetEvent event = new BudgetEvent("acme", "day", "2026-12-01", BudgetEventKind.HARD_LIMIT_REACHED,
                    990_000L, 5_000L, 1_000_000L, 800_000L, Instant.parse("2026-12-01T15:00:00Z"));
            producer.send(new ProducerRecord<>(topics.budgetEvents().name(), "acme", event)).get();

            // Then the webhook gets it once accepted, as a Slack message saying who, what and how much
            await().atMost(Duration.ofSeconds(60)).until(() -> !received.isEmpty());
            assertThat(received).hasSize(1);
            assertThat(received.getFirst().path("text").asText()).isEqualTo(":money_with_wings: [HARD_LIMIT_REACHED]"
                    + " Tenant *acme* reached its day budget of $1.00 for 2026-12-01: spent $0.99, reserved $0.01.");
            assertThat(refuseFirst.get()).as("the refused delivery was tried").isNegative();
            // and it goes on saying it has delivered all it read, which --alive-file's health check tests
            Instant accepted = Instant.now();
            await().atMost(Duration.ofSeconds(10)).until(() -> allDelivered.get().isAfter(accepted));
        } finally {
            forwarder.close();
            running.join(Duration.ofSeconds(30));
        }
        assertThat(running.isAlive()).isFalse();
    }
}
