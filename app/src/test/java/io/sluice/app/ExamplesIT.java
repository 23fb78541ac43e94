package io.sluice.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.sluice.app.runtime.SluiceRuntime;
import io.sluice.config.SluiceConfig;
import io.sluice.config.SluiceConfigDef;
import io.sluice.simulator.SimulatorSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The programs in {@code examples/} run as a user would run them, against the embedded default (broker, registry,
 * provider simulator and the demo tenant's key): each checks that every request it sent ended in exactly one outcome
 * and exits non-zero otherwise. Python needs Debian's {@code python3-confluent-kafka} and {@code python3-avro} (CI
 * installs them; elsewhere the Python examples are skipped when missing); Node needs {@code node} and {@code npm}.
 * On the same embedded default, the banner of {@code ./sluice run} is checked for the demo key the examples use.
 */
class ExamplesIT {
    private static final Path EXAMPLES = Path.of("..", "examples").toAbsolutePath().normalize();
    /** Debian's interpreter, where its packages are, ahead of any other python3 on the PATH. */
    private static final String PYTHON = Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3"
            : "python3";

    @TempDir
    static Path dir;
    private static SluiceRuntime sluice;

    @BeforeAll
    static void start() {
        sluice = SluiceRuntime.start(SluiceConfig.of(Map.of(
                SluiceConfigDef.EMBEDDED_DATA_DIR, dir.resolve(".sluice/kafka").toString(),
                SluiceConfigDef.EMBEDDED_KAFKA_PORT, 0, SluiceConfigDef.EMBEDDED_REGISTRY_PORT, 0,
                SluiceConfigDef.EMBEDDED_SIMULATOR_PORT, 0, SluiceConfigDef.HTTP_PORT, 0,
                SluiceConfigDef.STATE_DIR, dir.resolve("state").toString())), SimulatorSettings.defaults());
        sluice.awaitRunning(Duration.ofSeconds(90));
    }

    @AfterAll
    static void stop() {
        if (sluice != null) {
            sluice.close();
        }
    }

    @Test
    @DisplayName("examples/python: producer.py sends, consumer.py sees exactly one outcome for each request")
    void python() throws Exception {
        boolean installed = run(EXAMPLES.resolve("python"), PYTHON, "-c", "import confluent_kafka, avro").exit() == 0;
        if (!installed && "true".equals(System.getenv("CI"))) {
            throw new AssertionError("CI must install Debian's python3-confluent-kafka python3-avro python3-requests");
        }
        assumeTrue(installed, "python3-confluent-kafka and python3-avro are not installed");
        Path ids = dir.resolve("python-ids.txt");

        Run produced = run(EXAMPLES.resolve("python"), PYTHON, "producer.py", "--count", "20", "--ids",
                ids.toString(), "--bootstrap", bootstrap(), "--registry", registry());
        Run consumed = run(EXAMPLES.resolve("python"), PYTHON, "consumer.py", "--ids", ids.toString(),
                "--bootstrap", bootstrap(), "--registry", registry());

        assertThat(produced.exit()).as(produced.output()).isZero();
        assertThat(consumed.exit()).as(consumed.output()).isZero();
        assertThat(consumed.output()).contains("20 of 20 requests have an outcome; 0 missing, 0 duplicates");
    }

    @Test
    @DisplayName("examples/node: producer.js and consumer.js with kafkajs; openai.js through the front door with the demo key")
    void node() throws Exception {
        Path node = EXAMPLES.resolve("node");
        Run installed = run(node, "npm", "ci", "--no-audit", "--no-fund");
        assertThat(installed.exit()).as(installed.output()).isZero();
        Path ids = dir.resolve("node-ids.txt");

        Run produced = run(node, "node", "producer.js", "--count", "20", "--ids", ids.toString(), "--bootstrap",
                bootstrap(), "--registry", registry());
        Run consumed = run(node, "node", "consumer.js", "--ids", ids.toString(), "--bootstrap", bootstrap(),
                "--registry", registry());
        Run called = run(node, Map.of("SLUICE_API_KEY", Files.readString(dir.resolve(".sluice/demo-api-key"))
                .strip()), "node", "openai.js", "--url", sluice.httpUrl(), "--count", "10");

        assertThat(produced.exit()).as(produced.output()).isZero();
        assertThat(consumed.exit()).as(consumed.output()).isZero();
        assertThat(consumed.output()).contains("20 of 20 requests have an outcome; 0 missing, 0 duplicates");
        assertThat(called.exit()).as(called.output()).isZero();
        assertThat(called.output()).contains("10 answered, 0 refused; 10 of 10 calls have an outcome; 0 missing,"
                + " 0 duplicates");
    }

    @Test
    @DisplayName("./sluice run's banner shows the demo tenant's key, the one .sluice/demo-api-key holds")
    void bannerShowsTheDemoKey() throws IOException {
        Path file = dir.resolve(".sluice/demo-api-key");

        String banner = RunCommand.banner(sluice);

        String key = Files.readString(file).strip();
        assertThat(key).isNotBlank().isEqualTo(sluice.demoKey());
        assertThat(banner).contains("Demo API key:     " + key + " (tenant 'demo'; also in " + file + ")");
        // the key is the demo tenant's: it reads that tenant's usage and no other's
        assertThat(Http.get(sluice.httpUrl() + "/v1/usage/tenants/demo?period=total", key).status()).isEqualTo(200);
        assertThat(Http.get(sluice.httpUrl() + "/v1/usage/tenants/acme?period=total", key).status()).isEqualTo(403);
    }

    private static String bootstrap() {
        return sluice.config().string(SluiceConfigDef.KAFKA_BOOTSTRAP_SERVERS);
    }

    private static String registry() {
        return sluice.config().string(SluiceConfigDef.SCHEMA_REGISTRY_URL);
    }

    private record Run(int exit, String output) {}

    private static Run run(Path in, String... command) throws IOException, InterruptedException {
        return run(in, Map.of(), command);
    }

    private static Run run(Path in, Map<String, String> env, String... command)
            throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(new ArrayList<>(List.of(command))).directory(in.toFile())
                .redirectErrorStream(true);
        builder.environment().putAll(env);
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes());
        boolean done = process.waitFor(5, TimeUnit.MINUTES);
        System.out.println(String.join(" ", command) + ":\n" + output);
        return new Run(done ? process.exitValue() : -1, output);
    }
}
