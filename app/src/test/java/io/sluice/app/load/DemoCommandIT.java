package io.sluice.app.load;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.app.Cli;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;
import java.util.stream.Stream;
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
        CommandLine cli = Cli.commandLine();
        cli.setOut(new PrintWriter(out, true));
        StringWriter err = new StringWriter();
        cli.setErr(new PrintWriter(err, true));

        int exit = cli.execute("demo", "--requests", "150", "--users", "3", "--work-dir", workDir.toString());

        String[] lines = out.toString().strip().split("\n");
        assertThat(exit).as("exit code; summary %s; errors %s; log warnings:%n%s", lines[lines.length - 1], err,
                warnings()).isZero();
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

    /** The demo log's WARN and ERROR lines (at most 40), for a failure report. */
    private String warnings() throws IOException {
        Path log = workDir.resolve("sluice.log");
        if (!Files.exists(log)) {
            return "(no log)";
        }
        try (Stream<String> lines = Files.lines(log)) {
            return lines.filter(l -> l.contains(" WARN ") || l.contains(" ERROR ")).limit(40)
                    .collect(Collectors.joining("\n"));
        }
    }

    private static int sum(JsonNode counts) {
        int total = 0;
        for (JsonNode n : counts) {
            total += n.asInt();
        }
        return total;
    }
}
