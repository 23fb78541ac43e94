package io.sluice.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The Prometheus rules in {@code ops/prometheus/rules}: valid, passing their {@code promtool test rules} unit tests,
 * each alert tested firing and not firing, labelled and annotated, with a runbook in {@code ops/runbooks}; and the
 * example Prometheus configuration that loads them.
 */
class OpsRulesTest {
    static final Path RULES = OpsTools.OPS.resolve("prometheus/rules");
    static final Path RULE_TESTS = OpsTools.OPS.resolve("prometheus/tests");
    static final Path RUNBOOKS = OpsTools.OPS.resolve("runbooks");

    @Test
    @DisplayName("promtool accepts every rule file")
    void rulesAreValid() throws Exception {
        OpsTools.Result result = promtool("check", RULES);

        assertThat(result.exitCode()).as(result.output()).isZero();
    }

    @Test
    @DisplayName("the rules pass their promtool unit tests")
    void rulesPassTheirTests() throws Exception {
        OpsTools.Result result = promtool("test", RULE_TESTS);

        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(result.output()).doesNotContain("FAILED");
    }

    @Test
    @DisplayName("promtool accepts the example Prometheus configuration, with the rules it loads")
    void prometheusConfigIsValid() throws Exception {
        Path config = OpsTools.OPS.resolve("prometheus/prometheus.yml");

        OpsTools.Result result = OpsTools.run(config.getParent(), Duration.ofMinutes(1),
                List.of(OpsTools.binary("promtool", "prometheus").toString(), "check", "config", config.toString()));

        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(result.output()).contains("2 rule files found");
    }

    /** {@code promtool check rules} or {@code promtool test rules} over every YAML file of {@code dir}. */
    private static OpsTools.Result promtool(String what, Path dir) throws Exception {
        List<String> command = new ArrayList<>(List.of(OpsTools.binary("promtool", "prometheus").toString(), what,
                "rules"));
        OpsTools.files(dir, ".yml").forEach(file -> command.add(file.toString()));
        return OpsTools.run(dir, Duration.ofMinutes(2), command);
    }

    @Test
    @DisplayName("every alert has a runbook, and every runbook an alert")
    void runbooksMatchAlerts() {
        Set<String> runbooks = new TreeSet<>();
        OpsTools.files(RUNBOOKS, ".md").forEach(file -> runbooks.add(file.getFileName().toString()
                .replaceFirst("\\.md$", "")));

        assertThat(runbooks).isEqualTo(alerts().keySet());
    }

    @Test
    @DisplayName("every alert has a severity, a summary, a description and its runbook's URL")
    void alertsAreAnnotated() {
        alerts().forEach((name, rule) -> {
            assertThat(rule.path("labels").path("severity").asText()).as(name).isIn("critical", "warning", "info");
            assertThat(rule.path("annotations").path("summary").asText()).as(name).isNotBlank();
            assertThat(rule.path("annotations").path("description").asText()).as(name).isNotBlank();
            assertThat(rule.path("annotations").path("runbook_url").asText()).as(name)
                    .isEqualTo("ops/runbooks/" + name + ".md");
        });
    }

    @Test
    @DisplayName("every alert is unit-tested both firing and not firing")
    void everyAlertTestedBothWays() {
        Set<String> firing = new TreeSet<>();
        Set<String> silent = new TreeSet<>();
        for (Path file : OpsTools.files(RULE_TESTS, ".yml")) {
            for (JsonNode test : OpsTools.yaml(file).path("tests")) {
                for (JsonNode check : test.path("alert_rule_test")) {
                    String alert = check.path("alertname").asText();
                    (check.path("exp_alerts").isEmpty() ? silent : firing).add(alert);
                }
            }
        }

        assertThat(firing).as("alerts tested firing").isEqualTo(alerts().keySet());
        assertThat(silent).as("alerts tested not firing").isEqualTo(alerts().keySet());
    }

    /** Every alerting rule of the rule files, by name. */
    static TreeMap<String, JsonNode> alerts() {
        TreeMap<String, JsonNode> alerts = new TreeMap<>();
        for (Path file : OpsTools.files(RULES, ".yml")) {
            for (JsonNode group : OpsTools.yaml(file).path("groups")) {
                for (JsonNode rule : group.path("rules")) {
                    if (rule.has("alert")) {
                        assertThat(alerts.put(rule.path("alert").asText(), rule)).as("alert defined twice").isNull();
                    }
                }
            }
        }
        assertThat(alerts).isNotEmpty();
        return alerts;
    }
}
