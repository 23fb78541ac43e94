package io.sluice.embedded.registry;

import io.sluice.embedded.kafka.EmbeddedKafkaBroker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real broker and the embedded registry on it, started once per test class:
 * {@code @RegisterExtension static final RegistryCluster cluster = new RegistryCluster();}.
 */
final class RegistryCluster implements BeforeAllCallback, AfterAllCallback {
    EmbeddedKafkaBroker broker;
    EmbeddedSchemaRegistry registry;
    RegistryHttp http;
    private Path dir;

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        dir = Files.createTempDirectory("sluice-registry-");
        broker = new EmbeddedKafkaBroker(dir, 0).start();
        registry = EmbeddedSchemaRegistry.start(broker.bootstrapServers(), 0);
        http = new RegistryHttp(registry.url());
    }

    @Override
    public void afterAll(ExtensionContext context) throws IOException {
        if (registry != null) {
            registry.close();
        }
        if (broker != null) {
            broker.close();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
    }
}
