package io.sluice.app.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.app.Cli;
import io.sluice.app.SluiceProcess;
import io.sluice.app.TestCluster;
import io.sluice.app.runtime.SluiceRuntime;
import io.sluice.simulator.SimulatorSettings;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code sluice load} against a running Sluice, as a user runs it: what it prints and the files it writes. */
class LoadCommandIT {
    @RegisterExtension
    static final TestCluster cluster = new TestCluster();

    @TempDir
    Path dir;

    @Test
    @DisplayName("accounts for every request, rejects the malformed and over-limit ones, writes a report and a chart")
    void loadReportsFiguresAndWritesReportAndChart() throws Exception {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        Path report = dir.resolve("load/report.json");
        Path chart = dir.resolve("load/report.html");
        int exit;
        Path config;
        // Given a running Sluice
        cluster.simulator.settings(SimulatorSettings.defaults());
        try (SluiceRuntime sluice = SluiceRuntime.start(cluster.config("load", Map.of()),
                SimulatorSettings.defaults())) {
            await().atMost(Duration.ofSeconds(90)).until(() -> sluice.state() == KafkaStreams.State.RUNNING);
            config = SluiceProcess.propertiesFile(sluice.config(), dir);

            // When 300 requests are sent at 50/s, 5% of them malformed and 5% over the per-user limit
            exit = cli(out, err).execute("load", "--config", config.toString(), "--rate", "50", "--requests", "300",
                    "--malformed", "0.05", "--over-limit", "0.05", "--timeout", "60s",
                    "--report", report.toString(), "--chart", chart.toString());
        }
        System.out.println(err + "\n" + out);

        // Then every request has one outcome, and the summary's counts add up
        String summary = out.toString();
        assertThat(exit).as(summary).isZero();
        assertThat(figure(summary, "sent")).isEqualTo(300);
        assertThat(figure(summary, "responses") + figure(summary, "rejected") + figure(summary, "dead-lettered"))
                .isEqualTo(300);
        assertThat(figure(summary, "unaccounted")).isZero();
        assertThat(figure(summary, "duplicates")).isZero();
        // the malformed ones rejected by validation, the over-limit ones by the per-user limit
        int malformed = figure(summary, "sent", "(\\d+) malformed");
        int overLimit = figure(summary, "sent", "(\\d+) over the per-user limit");
        assertThat(malformed).isPositive();
        assertThat(overLimit).isPositive();
        assertThat(figure(summary, "rejected", "EMPTY_MESSAGES (\\d+)") + figure(summary, "rejected",
                "INVALID_REQUEST (\\d+)") + figure(summary, "rejected", "UNKNOWN_ROUTE (\\d+)")).isEqualTo(malformed);
        assertThat(figure(summary, "rejected", "RATE_LIMITED (\\d+)")).isEqualTo(overLimit);
        assertThat(summary).containsPattern("latency +p50 [\\d,]+ ms · p95 [\\d,]+ ms · p99 [\\d,]+ ms · max");
        assertThat(err.toString()).containsPattern("sent \\d+ \\(\\d+/s\\) · answered \\d+ · rejected \\d+");
        // the backlog in front of the stages, where an overloaded Sluice queues, in the progress and the summary
        assertThat(err.toString()).containsPattern(" · lag [\\d,]+");
        assertThat(summary).containsPattern("lag +at most [\\d,]+ records waiting in front of the stages");

        // And the report has the totals and a time series that adds up to them
        JsonNode json = new ObjectMapper().readTree(report.toFile());
        assertThat(json.path("settings").path("rate").asDouble()).isEqualTo(50);
        assertThat(json.path("machine").path("cores").asInt()).isPositive();
        assertThat(json.path("totals").path("sent").asInt()).isEqualTo(300);
        assertThat(json.path("totals").path("outcomes").asInt()).isEqualTo(300);
        assertThat(json.path("latencyMs").path("p99").asLong()).isPositive();
        JsonNode series = json.path("timeSeries");
        assertThat(series.size()).isGreaterThan(3);
        int sent = 0;
        int outcomes = 0;
        for (JsonNode second : series) {
            sent += second.path("sent").asInt();
            outcomes += second.path("outcomes").asInt();
        }
        assertThat(sent).isEqualTo(300);
        assertThat(outcomes).isEqualTo(300);

        // And the chart is one page that draws itself
        String html = Files.readString(chart);
        assertThat(html).contains("<svg").contains("completed").contains("p99").doesNotContain("<script");

        // And with that Sluice stopped, it sends nothing and says to start one first
        StringWriter refusal = new StringWriter();
        assertThat(cli(new StringWriter(), refusal).execute("load", "--config", config.toString(), "--rate", "50",
                "--report", dir.resolve("again/report.json").toString())).isEqualTo(1);
        assertThat(refusal.toString()).contains("no instance of application 'sluice-load' is running")
                .contains("Start Sluice first with ./sluice run");
    }

    @Test
    @DisplayName("--via http: the same traffic through the front door, every request one outcome, limits as 429s")
    void loadThroughTheFrontDoor() throws Exception {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit;
        // Given a running Sluice with an open API on loopback
        try (SluiceRuntime sluice = SluiceRuntime.start(cluster.config("load-http", Map.of()),
                SimulatorSettings.defaults())) {
            await().atMost(Duration.ofSeconds(90)).until(() -> sluice.state() == KafkaStreams.State.RUNNING);
            Path config = SluiceProcess.propertiesFile(sluice.config(), dir);

            // When 200 requests go through POST /v1/chat/completions, 20 at a time
            exit = cli(out, err).execute("load", "--config", config.toString(), "--via", "http", "--url",
                    sluice.httpUrl(), "--concurrency", "20", "--requests", "200", "--malformed", "0.05",
                    "--over-limit", "0.05", "--timeout", "60s", "--report", dir.resolve("http/report.json").toString(),
                    "--chart", dir.resolve("http/report.html").toString());
        }
        System.out.println(err + "\n" + out);

        // Then every request has exactly one outcome on the topics, and the HTTP answers say the same
        String summary = out.toString();
        assertThat(exit).as(summary).isZero();
        assertThat(summary).contains("Sluice load via HTTP");
        assertThat(figure(summary, "unaccounted")).isZero();
        assertThat(figure(summary, "duplicates")).isZero();
        int overLimit = figure(summary, "sent", "(\\d+) over the per-user limit");
        int malformed = figure(summary, "sent", "(\\d+) malformed");
        assertThat(figure(summary, "rejected", "RATE_LIMITED (\\d+)")).isEqualTo(overLimit).isPositive();
        assertThat(figure(summary, "http", "429=(\\d+)")).isEqualTo(overLimit);
        assertThat(figure(summary, "http", "200=(\\d+)")).isEqualTo(figure(summary, "responses"));
        assertThat(figure(summary, "rejected", "EMPTY_MESSAGES (\\d+)") + figure(summary, "rejected",
                "INVALID_REQUEST (\\d+)") + figure(summary, "rejected", "UNKNOWN_ROUTE (\\d+)")).isEqualTo(malformed);
        assertThat(summary).containsPattern("http +answers .* · p50 [\\d,]+ ms · p95 [\\d,]+ ms · p99 [\\d,]+ ms");
    }

    private static CommandLine cli(StringWriter out, StringWriter err) {
        CommandLine cli = Cli.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli;
    }

    /** The first number on the summary line labelled {@code label}. */
    private static int figure(String summary, String label) {
        return figure(summary, label, "(\\d+)");
    }

    /** The number {@code pattern} captures on the summary line labelled {@code label}; 0 when it is not there. */
    private static int figure(String summary, String label, String pattern) {
        Matcher line = Pattern.compile("(?m)^  " + Pattern.quote(label) + " +(.*)$").matcher(summary);
        assertThat(line.find()).as("a line '%s' in%n%s", label, summary).isTrue();
        Matcher number = Pattern.compile(pattern).matcher(line.group(1));
        return number.find() ? Integer.parseInt(number.group(1)) : 0;
    }
}
