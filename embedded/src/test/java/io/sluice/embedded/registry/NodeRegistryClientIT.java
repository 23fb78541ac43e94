package io.sluice.embedded.registry;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.embedded.kafka.EmbeddedKafkaBroker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A third-party client against the embedded registry: {@code @kafkajs/confluent-schema-registry} from npm, with
 * its default options, which set the subject's compatibility after registering (a registry without
 * {@code PUT /config/{subject}} made it throw before a record was produced). Needs {@code node} and {@code npm}.
 */
class NodeRegistryClientIT {
    @TempDir
    Path dir;

    @Test
    @DisplayName("@kafkajs/confluent-schema-registry with default options registers, looks up, encodes and decodes,"
            + " references included")
    void nodeClientWithDefaultOptions() throws Exception {
        Path project = dir.resolve("node");
        Files.createDirectories(project);
        for (String file : List.of("package.json", "package-lock.json", "registry-check.js")) {
            Files.copy(Path.of("src/test/node", file), project.resolve(file), StandardCopyOption.REPLACE_EXISTING);
        }
        assertThat(run(project, "npm", "ci", "--no-audit", "--no-fund")).isZero();
        try (EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker(dir.resolve("broker"), 0).start();
             EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.start(broker.bootstrapServers(), 0)) {
            assertThat(run(project, "node", "registry-check.js", registry.url())).isZero();

            RegistryHttp http = new RegistryHttp(registry.url());
            assertThat(http.get("/subjects").body().toString()).contains("node-check-value", "node-order-value");
            assertThat(http.get("/config/node-check-value").status()).as("the client set the subject's level")
                    .isEqualTo(200);
        }
    }

    private static int run(Path dir, String... command) throws IOException, InterruptedException {
        return ClientProcess.run(dir, command).exitCode();
    }
}
