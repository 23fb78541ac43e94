package io.sluice.app.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.app.Cli;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code sluice bench pipeline} end to end on a tiny load, on its own embedded broker: the lines it prints, not how
 * fast (figures belong in the docs).
 */
class PipelineBenchIT {
    @TempDir
    Path dir;

    @Test
    @DisplayName("prints one JSON line per scenario, each accounting for every request, with Sluice's overhead,"
            + " CPU and records written")
    void pipelineBenchPrintsALinePerScenarioThatAccountsForEveryRequest() throws Exception {
        // Given a bench of a few hundred requests over the three scenarios
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = Cli.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        Path lines = dir.resolve("pipeline.jsonl");

        // When it runs
        int exit = cli.execute("bench", "pipeline", "--warmup", "100", "--requests", "200", "--concurrency", "50",
                "--rate", "40", "--duration", "3s", "--open-latency", "200ms", "--light-rate", "20",
                "--light-duration", "3s", "--users", "500", "--timeout", "90s",
                "--work-dir", dir.resolve("bench").toString(), "--output", lines.toString());
        System.out.println(err + "\n" + out);

        // Then it succeeds and prints a line for each scenario, in order, and writes the same lines to the file
        assertThat(exit).as(err.toString()).isZero();
        List<JsonNode> results = new ArrayList<>();
        for (String line : out.toString().strip().split("\n")) {
            results.add(new ObjectMapper().readTree(line));
        }
        assertThat(results).extracting(r -> r.path("scenario").asText()).containsExactly("closed", "open", "light");
        assertThat(Files.readAllLines(lines)).containsExactlyElementsOf(List.of(out.toString().strip().split("\n")));
        assertThat(results.get(0).path("sent").asInt()).isEqualTo(200);
        for (JsonNode result : results) {
            String scenario = result.path("scenario").asText();
            int sent = result.path("sent").asInt();
            // every request answered once, by the provider: no limit, budget or validation refused any
            assertThat(sent).as(scenario).isPositive();
            assertThat(result.path("outcomes").asInt()).as(scenario).isEqualTo(sent);
            assertThat(result.path("responses").path("OK").asInt()).as(scenario).isEqualTo(sent);
            assertThat(result.path("unaccounted").asInt()).as(scenario).isZero();
            assertThat(result.path("duplicates").asInt()).as(scenario).isZero();
            // Sluice's own share of each response's latency, never negative
            JsonNode overhead = result.path("overheadMs");
            assertThat(overhead.path("measured").asInt()).as(scenario).isEqualTo(sent);
            assertThat(overhead.path("p50").asLong()).as(scenario).isNotNegative();
            assertThat(overhead.path("p99").asLong()).as(scenario)
                    .isGreaterThanOrEqualTo(overhead.path("p50").asLong());
            // the broker wrote more than the request itself for each request: the pipeline's topics and changelogs
            assertThat(result.path("recordsPerRequest").asDouble()).as(scenario).isGreaterThan(1);
            assertThat(result.path("recordsPerRequestByTopic").path("sluice.requests").asDouble()).as(scenario)
                    .isEqualTo(1.0);
            assertThat(result.path("cpu").path("cores").path("streamThreads").asDouble()).as(scenario).isPositive();
            // every request is decoded and written by the stream threads: they allocate, and the total holds them
            JsonNode allocated = result.path("cpu").path("allocatedKiBPerRequest");
            assertThat(allocated.path("streamThreads").asDouble()).as(scenario).isPositive();
            assertThat(allocated.path("total").asDouble()).as(scenario)
                    .isGreaterThanOrEqualTo(allocated.path("streamThreads").asDouble());
            assertThat(result.path("config").path("processing.guarantee").asText()).isEqualTo("exactly_once_v2");
        }
    }
}
