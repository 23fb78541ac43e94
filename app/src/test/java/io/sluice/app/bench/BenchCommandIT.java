package io.sluice.app.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.app.Cli;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code sluice bench} end to end on a small load: what it prints, not how fast (figures belong in docs/benchmarks.md). */
class BenchCommandIT {
    @TempDir
    Path workDir;

    @Test
    @DisplayName("answers every loaded request through the call stage and reports its rate beside the no-Kafka ceiling")
    void benchAnswersEveryRequestAndReportsTheCeiling() throws Exception {
        StringWriter out = new StringWriter();
        CommandLine cli = Cli.commandLine();
        cli.setOut(new PrintWriter(out, true));

        // at most 6 tasks x 10 calls in flight of 100 ms: the 300 measured answers span several commits, so the
        // steady window is never empty (with the default bound every answer can come in one transaction's batch)
        int exit = cli.execute("bench", "--requests", "300", "--warmup", "200", "--latency", "100ms",
                "--max-in-flight", "10", "--work-dir", workDir.toString(),
                "--blocking-window", "5s", "--overhead-rate", "50", "--overhead-duration", "2s");

        assertThat(exit).isZero();
        String[] lines = out.toString().strip().split("\n");
        JsonNode result = new ObjectMapper().readTree(lines[lines.length - 1]);
        // the warm-up's answers are not counted: exactly the measured 300 are
        assertThat(result.path("completed").asInt()).isEqualTo(300);
        assertThat(result.path("warmupRequests").asInt()).isEqualTo(200);
        assertThat(result.path("processingGuarantee").asText()).isEqualTo("exactly_once_v2");
        assertThat(result.path("maxProviderCallsInFlight").asLong()).isPositive().isLessThanOrEqualTo(60);
        assertThat(result.path("requestsPerSecSteady").asLong()).isPositive();
        assertThat(result.path("ceilingRequestsPerSec").asLong()).isPositive();
        assertThat(result.path("fractionOfCeiling").asDouble()).isPositive();
        // the blocking design: one call at a time per stream thread, so at most threads / latency = 20/s
        double blocking = result.path("blocking").path("requestsPerSec").asDouble();
        assertThat(blocking).isPositive().isLessThanOrEqualTo(21); // calls finished over the window: 20/s at most
        assertThat(result.path("sluiceOverBlocking").asLong()).isPositive();
        // every request sent for the overhead was answered and timed; the overhead is Sluice's own, never negative
        assertThat(result.path("overhead").path("measured").asInt()).isEqualTo(100);
        assertThat(result.path("overhead").path("p99Ms").asLong())
                .isGreaterThanOrEqualTo(result.path("overhead").path("p50Ms").asLong()).isNotNegative();
    }
}
