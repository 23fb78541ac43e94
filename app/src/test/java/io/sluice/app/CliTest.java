package io.sluice.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class CliTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cli = SluiceCli.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    @Test
    @DisplayName("without a command, says which commands to try")
    void missingCommandSaysWhatToDo() {
        assertThat(run()).isEqualTo(2);
        assertThat(err.toString()).contains("sluice run").contains("sluice demo").contains("Usage: sluice");
    }

    @Test
    @DisplayName("a misspelt option is named, with the option that was probably meant")
    void misspeltOptionSuggestsTheRightOne() {
        assertThat(run("demo", "--request", "5")).isEqualTo(2);
        assertThat(err.toString()).contains("Unknown options: '--request'").contains("Possible solutions: --requests");
    }

    @Test
    @DisplayName("a demo with no requests is refused with what is allowed")
    void refusesEmptyDemo() {
        assertThat(run("demo", "--requests", "0")).isEqualTo(1);
        assertThat(err.toString()).contains("--requests").contains("at least 1");
    }

    @Test
    @DisplayName("a bad configuration value stops the command naming the key")
    void badConfigNamesKey(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path file = dir.resolve("bad.properties");
        Files.writeString(file, "limits.user.requests.per.minute=-5\n");

        assertThat(run("config", "--effective", "--config", file.toString())).isEqualTo(1);
        assertThat(err.toString()).contains("limits.user.requests.per.minute").contains("-5");
    }

    @Test
    @DisplayName("the README's configuration reference is the one the code defines")
    void readmeConfigReferenceMatchesCode() throws Exception {
        String readme = Files.readString(Path.of("..", "README.md"), StandardCharsets.UTF_8);
        String start = "<!-- config-reference:start -->\n";
        String documented = readme.substring(readme.indexOf(start) + start.length(),
                readme.indexOf("<!-- config-reference:end -->"));

        assertThat(documented).as("README config reference; regenerate with ./sluice config")
                .isEqualTo(ConfigCommand.reference());
    }
}
