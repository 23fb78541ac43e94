package io.sluice.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * {@code docker-compose.yml} as a real Compose parser reads it (Debian's {@code docker-compose config}; no Docker
 * engine runs here), checked against the files and settings it names: every mounted file exists, every image is
 * pinned, every address one service gives another names a service and a port that service listens on, and
 * {@code .env.example} defines every variable the file needs.
 */
class DeployFilesTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static JsonNode services;

    @BeforeAll
    static void parse() throws Exception {
        boolean installed = run(List.of("docker-compose", "version")).exit() == 0;
        if (!installed && "true".equals(System.getenv("CI"))) {
            throw new AssertionError("CI must install Debian's docker-compose package (its config parser)");
        }
        assumeTrue(installed, "docker-compose is not installed");
        Run config = run(List.of("docker-compose", "--env-file", ROOT.resolve(".env.example").toString(), "-f",
                ROOT.resolve("docker-compose.yml").toString(), "config"));
        assertThat(config.exit()).as("docker-compose config with .env.example:%n%s", config.output()).isZero();
        services = YAML.readTree(config.output()).path("services");
    }

    @Test
    @DisplayName("the stack has every part, each pinned to a version, with a health check where others wait on it")
    void everyPartPinnedAndChecked() {
        assertThat(names(services)).contains("kafka", "registry", "sluice", "connect", "postgres", "prometheus",
                "alertmanager", "grafana");
        services.properties().forEach(service -> {
            String image = service.getValue().path("image").asText();
            assertThat(image).as(service.getKey()).matches("[\\w./-]+:v?\\d[\\w.-]*");
            service.getValue().path("depends_on").properties().forEach(dependency -> {
                assertThat(dependency.getValue().path("condition").asText()).isEqualTo("service_healthy");
                assertThat(services.path(dependency.getKey()).has("healthcheck"))
                        .as("%s waits on %s, which has a health check", service.getKey(), dependency.getKey()).isTrue();
            });
        });
    }

    @Test
    @DisplayName("every file a service mounts is in the repository")
    void mountedFilesExist() {
        List<String> missing = new ArrayList<>();
        List<String> mounted = new ArrayList<>();
        services.properties().forEach(service -> service.getValue().path("volumes").forEach(volume -> {
            // docker-compose config prints a bind mount as "/absolute/source:/target[:mode]"
            String source = volume.isTextual() ? volume.asText().split(":")[0] : volume.path("source").asText();
            if (source.startsWith("/")) {
                mounted.add(source);
                // a secret is not committed: its .example is
                boolean secret = source.contains("/deploy/secrets/");
                if (!Files.exists(Path.of(source + (secret ? ".example" : "")))) {
                    missing.add(service.getKey() + ": " + source);
                }
            }
        }));
        assertThat(mounted).anyMatch(source -> source.endsWith("deploy/sluice.properties"));
        assertThat(missing).isEmpty();
    }

    @Test
    @DisplayName("Sluice's settings name the stack's Kafka, registry and port; Prometheus scrapes Sluice; Connect writes to PostgreSQL")
    void addressesAgree() throws IOException {
        Properties sluice = new Properties();
        try (var in = Files.newBufferedReader(ROOT.resolve("deploy/sluice.properties"))) {
            sluice.load(in);
        }
        URI kafka = URI.create("//" + sluice.getProperty("kafka.bootstrap.servers"));
        assertThat(services.has(kafka.getHost())).isTrue();
        assertThat(services.path(kafka.getHost()).path("environment").path("KAFKA_ADVERTISED_LISTENERS").asText())
                .contains(kafka.getHost() + ":" + kafka.getPort());

        URI registry = URI.create(sluice.getProperty("schema.registry.url"));
        assertThat(services.has(registry.getHost())).isTrue();
        assertThat(services.path(registry.getHost()).path("command").toString())
                .contains("\"registry\"").contains("\"" + registry.getPort() + "\"");

        String httpPort = sluice.getProperty("http.port");
        assertThat(ports(services.path("sluice"))).contains(httpPort);
        assertThat(services.path("sluice").path("healthcheck").path("test").toString()).contains(":" + httpPort + "/");

        JsonNode prometheus = YAML.readTree(ROOT.resolve("deploy/prometheus.yml").toFile());
        assertThat(prometheus.findValues("targets").toString()).contains("sluice:" + httpPort);
        assertThat(prometheus.path("rule_files").toString()).contains("/etc/prometheus/rules/");
        assertThat(services.path("prometheus").path("volumes").toString()).contains("/etc/prometheus/rules");

        URI postgres = URI.create(services.path("connect").path("environment").path("SLUICE_POSTGRES_URL").asText()
                .substring("jdbc:".length()));
        assertThat(services.has(postgres.getHost())).isTrue();
        assertThat(postgres.getPath()).isEqualTo("/" + services.path(postgres.getHost()).path("environment")
                .path("POSTGRES_DB").asText());
        assertThat(services.path("connect").path("environment").path("SLUICE_POSTGRES_PASSWORD").asText())
                .isEqualTo(services.path("postgres").path("environment").path("POSTGRES_PASSWORD").asText());
    }

    @Test
    @DisplayName("the image runs as a user of its own with a health check, and .env stays out of git")
    void imageAndSecrets() throws IOException {
        String dockerfile = Files.readString(ROOT.resolve("Dockerfile"));
        assertThat(dockerfile).containsPattern("(?m)^USER (?!root)\\w+").contains("HEALTHCHECK");
        assertThat(Files.readAllLines(ROOT.resolve(".gitignore"))).contains(".env");
        assertThat(Files.readString(ROOT.resolve("docker-compose.yml"))).doesNotContainPattern("(?im)^ *\\w*password: *[^$\\s]");
    }

    private static List<String> names(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static List<String> ports(JsonNode service) {
        List<String> ports = new ArrayList<>();
        service.path("ports").forEach(p -> ports.add(p.path("target").asText()));
        return ports;
    }

    private record Run(int exit, String output) {}

    private static Run run(List<String> command) throws IOException, InterruptedException {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(false).start();
            String output = new String(process.getInputStream().readAllBytes());
            String errors = new String(process.getErrorStream().readAllBytes());
            process.waitFor(60, TimeUnit.SECONDS);
            return new Run(process.exitValue(), process.exitValue() == 0 ? output : errors + output);
        } catch (IOException notInstalled) {
            return new Run(-1, notInstalled.toString());
        }
    }
}
