package io.sluice.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.app.load.OutcomeTracker;
import io.sluice.app.runtime.SluiceRuntime;
import io.sluice.config.SluiceConfig;
import io.sluice.config.SluiceConfigDef;
import io.sluice.schemas.PromptRequest;
import io.sluice.simulator.ErrorRates;
import io.sluice.simulator.SimulatorSettings;
import io.sluice.testkit.PromptRequests;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * The rules and the dashboard against a real Prometheus scraping a running Sluice under traffic that touches every
 * alert's metrics (provider errors, dead letters, a retry tier, rate-limit refusals, a tenant over its budget):
 * every recording rule, alert expression and dashboard query evaluates without error and returns series. An
 * expression that is empty while healthy (a threshold not passed) is checked through its left-hand sides.
 */
class PrometheusRulesIT {
    private static final Path DASHBOARD = OpsTools.OPS.resolve("grafana/dashboards/sluice.json");
    private static final Path DATASOURCES = OpsTools.OPS.resolve("grafana/provisioning/datasources/sluice.yml");

    @RegisterExtension
    static final TestCluster cluster = new TestCluster();

    @Test
    @DisplayName("every recording rule, alert expression and dashboard query returns series from a scraped Sluice")
    void everyQueryReturnsSeries(@TempDir(cleanup = CleanupMode.ON_SUCCESS) Path dir) throws Exception {
        Path prometheusBinary = OpsTools.binary("prometheus", "prometheus");
        // Given a Sluice whose provider fails some calls (400s dead-letter, 503s park requests on a 1 s retry
        // tier), with a per-user limit of 5 a minute and a tenant on a 1000 micro-dollar daily budget
        SluiceConfig config = cluster.config("prom", Map.of(SluiceConfigDef.CALL_RETRY_TIERS, "1s",
                SluiceConfigDef.CALL_MAX_ATTEMPTS, 2, SluiceConfigDef.CALL_BACKOFF_MS, 50,
                SluiceConfigDef.ROUTES, "default=openai:gpt-4o-mini", SluiceConfigDef.LIMIT_USER_RPM, 5,
                SluiceConfigDef.TENANT_TIERS, "tight=small", "budgets.tier.small.daily.micros", 1000));
        cluster.simulator.settings(SimulatorSettings.defaults()
                .withErrors(ErrorRates.none().withHttp503(0.3).withBadRequest400(0.05)));
        try (SluiceRuntime sluice = SluiceRuntime.start(config, SimulatorSettings.defaults());
             OutcomeTracker tracker = new OutcomeTracker(sluice.adminConfig(), sluice.topics());
             Traffic traffic = new Traffic(sluice, tracker)) {
            sluice.awaitRunning(Duration.ofSeconds(90));
            // and a Prometheus scraping it every second, with the rules loaded
            try (Prometheus prometheus = Prometheus.start(prometheusBinary, dir, "127.0.0.1:" + sluice.httpPort())) {

                // When traffic comes: users within their limit, one over it, and the tight tenant until its
                // budget refuses
                for (int tenant = 0; tenant < 4; tenant++) {
                    for (int user = 0; user < 5; user++) {
                        for (int i = 0; i < 4; i++) {
                            traffic.send(PromptRequests.valid("tenant-" + tenant, "user-" + user, Instant.now())
                                    .build());
                        }
                    }
                }
                for (int i = 0; i < 10; i++) {
                    traffic.send(PromptRequests.valid("tenant-0", "hot-user"));
                }
                // and bytes that are not a request, so the dead-letter topic has a record whatever the provider does
                traffic.send("poison-0", System.currentTimeMillis(), new byte[] {1, 2, 3});
                int[] tight = {0};
                await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(300)).until(() -> {
                    PromptRequest request = PromptRequests.valid("tight", "user-" + tight[0]++);
                    traffic.send(request);
                    traffic.flush();
                    String metrics = Http.get(sluice.httpUrl() + "/metrics").body();
                    return metrics.contains("kind=\"HARD_LIMIT_REACHED\",period=\"day\",tenant=\"tight\"")
                            && metrics.contains("kind=\"SOFT_THRESHOLD_CROSSED\",period=\"day\",tenant=\"tight\"");
                });
                traffic.awaitOutcomes(Duration.ofSeconds(120));

                // Then every rule is healthy, and every expression returns series
                List<String> failures = new ArrayList<>();
                try {
                    await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(2)).until(() -> {
                        failures.clear();
                        failures.addAll(prometheus.unhealthyRules());
                        queries().forEach((what, expr) -> prometheus.emptyOrFailing(expr)
                                .ifPresent(problem -> failures.add(what + ": " + problem)));
                        // tokens and cost split by the tenants that sent traffic, and the dead letters counted
                        Set<String> tenants = new java.util.TreeSet<>();
                        prometheus.query("sum by (tenant) (sluice:cost_dollars:increase1h)")
                                .forEach(series -> tenants.add(series.path("metric").path("tenant").asText()));
                        if (!tenants.containsAll(List.of("tenant-0", "tenant-1", "tenant-2", "tenant-3", "tight"))) {
                            failures.add("cost by tenant names only " + tenants);
                        }
                        double dlq = prometheus.query("sluice:dead_letter_records:max").path(0).path("value").path(1)
                                .asDouble(0);
                        if (dlq < 1) {
                            failures.add("the dead-letter topic's size is " + dlq + ", with a poison record on it");
                        }
                        return failures.isEmpty();
                    });
                } catch (ConditionTimeoutException e) {
                    // the assertion below names every query still failing
                }
                assertThat(failures).isEmpty();
                assertThat(prometheus.query("sluice_ready").path(0).path("value").path(1).asText()).isEqualTo("1");
            }
        }
    }

    @Test
    @DisplayName("the dashboard queries the provisioned datasource")
    void dashboardUsesTheProvisionedDatasource() throws Exception {
        String uid = OpsTools.yaml(DATASOURCES).path("datasources").path(0).path("uid").asText();
        JsonNode dashboard = OpsTools.YAML.readTree(DASHBOARD.toFile());

        assertThat(dashboard.findValues("datasource")).isNotEmpty()
                .allSatisfy(datasource -> assertThat(datasource.path("uid").asText()).isEqualTo(uid));
        assertThat(dashboardQueries()).hasSizeGreaterThan(20);
    }

    /** What to evaluate, by where it comes from: rules (and the series they record) and dashboard panels. */
    private static Map<String, String> queries() {
        Map<String, String> queries = new LinkedHashMap<>();
        for (Path file : OpsTools.files(OpsRulesTest.RULES, ".yml")) {
            for (JsonNode group : OpsTools.yaml(file).path("groups")) {
                for (JsonNode rule : group.path("rules")) {
                    String expr = rule.path("expr").asText().strip();
                    if (rule.has("record")) {
                        queries.put("recording rule " + rule.path("record").asText(), expr);
                        queries.put("recorded series " + rule.path("record").asText(), rule.path("record").asText());
                    } else {
                        List<String> sides = LeftHandSides.of(expr);
                        for (int i = 0; i < sides.size(); i++) {
                            queries.put("alert " + rule.path("alert").asText() + " (left-hand side " + (i + 1) + ")",
                                    sides.get(i));
                        }
                    }
                }
            }
        }
        dashboardQueries().forEach((panel, expr) -> queries.put("dashboard " + panel, expr));
        return queries;
    }

    private static Map<String, String> dashboardQueries() {
        Map<String, String> queries = new LinkedHashMap<>();
        try {
            for (JsonNode panel : OpsTools.YAML.readTree(DASHBOARD.toFile()).path("panels")) {
                for (JsonNode target : panel.path("targets")) {
                    queries.put("'" + panel.path("title").asText() + "' " + target.path("refId").asText(),
                            target.path("expr").asText());
                }
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return queries;
    }

    /** The Prometheus server of a test: Debian's binary, on a free port, with a configuration generated here. */
    static final class Prometheus implements AutoCloseable {
        private final Process process;
        private final String url;

        private Prometheus(Process process, String url) {
            this.process = process;
            this.url = url;
        }

        /** Scrapes {@code target}'s /metrics as job "sluice" every second and evaluates the rules every second. */
        static Prometheus start(Path binary, Path dir, String target) throws Exception {
            StringBuilder rules = new StringBuilder();
            OpsTools.files(OpsRulesTest.RULES, ".yml").forEach(file -> rules.append("  - ").append(file).append('\n'));
            Path config = dir.resolve("prometheus.yml");
            Files.writeString(config, """
                    global:
                      scrape_interval: 1s
                      evaluation_interval: 1s
                    rule_files:
                    %s
                    scrape_configs:
                      - job_name: sluice
                        static_configs:
                          - targets: ['%s']
                    """.formatted(rules, target));
            int port = OpsTools.freePort();
            Process process = new ProcessBuilder(binary.toString(), "--config.file=" + config,
                    "--storage.tsdb.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:" + port)
                    .redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
            Prometheus prometheus = new Prometheus(process, "http://127.0.0.1:" + port);
            try {
                await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                        .until(() -> Http.get(prometheus.url + "/-/ready").status() == 200);
            } catch (RuntimeException e) {
                prometheus.close();
                throw new AssertionError("Prometheus did not start: " + Files.readString(dir.resolve("prometheus.log")), e);
            }
            return prometheus;
        }

        /** The result vector of an instant query; fails on an error. */
        JsonNode query(String expr) throws Exception {
            Http.Answer answer = Http.get(url + "/api/v1/query?query=" + URLEncoder.encode(expr, StandardCharsets.UTF_8));
            JsonNode body = answer.json();
            if (!"success".equals(body.path("status").asText())) {
                throw new IllegalStateException(body.path("errorType").asText() + ": " + body.path("error").asText());
            }
            return body.path("data").path("result");
        }

        /** Why {@code expr} is not good: an error, or no series; nothing when it returns at least one series. */
        java.util.Optional<String> emptyOrFailing(String expr) {
            try {
                return query(expr).isEmpty() ? java.util.Optional.of("no series from " + expr)
                        : java.util.Optional.empty();
            } catch (Exception e) {
                return java.util.Optional.of(e.getMessage() + " in " + expr);
            }
        }

        /** Rules whose last evaluation failed, as Prometheus reports them at /api/v1/rules. */
        List<String> unhealthyRules() throws Exception {
            Set<String> unhealthy = new LinkedHashSet<>();
            JsonNode groups = Http.get(url + "/api/v1/rules").json().path("data").path("groups");
            for (JsonNode group : groups) {
                for (JsonNode rule : group.path("rules")) {
                    if (!"ok".equals(rule.path("health").asText())) {
                        unhealthy.add("rule " + rule.path("name").asText() + " is " + rule.path("health").asText()
                                + ": " + rule.path("lastError").asText());
                    }
                }
            }
            return new ArrayList<>(unhealthy);
        }

        @Override
        public void close() throws InterruptedException {
            process.destroy();
            if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                // gone before @TempDir deletes its files
                process.destroyForcibly().waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
            }
        }
    }
}
