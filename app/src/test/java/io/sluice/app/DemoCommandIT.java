package io.sluice.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code sluice demo} on its own embedded broker, as a newcomer runs it. */
class DemoCommandIT {
    @TempDir
    Path workDir;

    @Test
    @DisplayName("accounts for every request it sends and ends with one JSON summary line")
    void demoAccountsForEveryRequest() throws Exception {
        StringWriter out = new StringWriter();
        CommandLine cli = SluiceCli.commandLine();
        cli.setOut(new PrintWriter(out, true));

        int exit = cli.execute("demo", "--requests", "150", "--users", "3", "--work-dir", workDir.toString());

        assertThat(exit).isZero();
        String[] lines = out.toString().strip().split("\n");
        JsonNode summary = new ObjectMapper().readTree(lines[lines.length - 1]);
        assertThat(summary.path("sent").asInt()).isEqualTo(150);
        assertThat(summary.path("unaccounted").asInt()).isZero();
        assertThat(summary.path("duplicates").asInt()).isZero();
        int responses = sum(summary.path("responses"));
        int rejections = sum(summary.path("rejections"));
        assertThat(responses + rejections + summary.path("deadLettered").asInt()).isEqualTo(150);
        // 3 users sending ~47 valid requests each within a minute, against a limit of 20 a minute
        assertThat(summary.path("rejections").path("RATE_LIMITED").asInt()).isPositive();
        assertThat(summary.path("latencyMs").path("p99").asLong()).isPositive();
    }

    private static int sum(JsonNode counts) {
        int total = 0;
        for (JsonNode n : counts) {
            total += n.asInt();
        }
        return total;
    }
}
