package io.sluice.topology;

import io.sluice.registry.InMemorySchemaRegistryClient;
import io.sluice.registry.SchemaRegistryClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Starts a {@link TopologyFixture} per test on its own state directory and closes it after the test:
 * {@code @RegisterExtension final TopologyFixtures topologies = new TopologyFixtures();}.
 */
final class TopologyFixtures implements AfterEachCallback {
    private TopologyFixture current;
    /** Every state directory this test made (a test that restarts its topology makes one each time). */
    private final List<Path> stateDirs = new ArrayList<>();

    TopologyFixture start(Map<String, ?> overrides) {
        return start(overrides, new InMemorySchemaRegistryClient(), null);
    }

    /** A fixture calling {@code providers} (real clients, e.g. against the simulator) instead of scripted ones. */
    TopologyFixture start(Map<String, ?> overrides, io.sluice.provider.ProviderClients providers) {
        return start(overrides, new InMemorySchemaRegistryClient(), providers);
    }

    /** A fixture whose serdes use {@code registry}. */
    TopologyFixture start(Map<String, ?> overrides, SchemaRegistryClient registry) {
        return start(overrides, registry, null);
    }

    private TopologyFixture start(Map<String, ?> overrides, SchemaRegistryClient registry,
                                  io.sluice.provider.ProviderClients providers) {
        Path stateDir;
        try {
            stateDir = Files.createTempDirectory("sluice-ttd-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        stateDirs.add(stateDir);
        current = new TopologyFixture(stateDir, overrides, registry, providers);
        return current;
    }

    @Override
    public void afterEach(ExtensionContext context) throws IOException {
        if (current != null) {
            current.close();
            current = null;
        }
        try {
            for (Path stateDir : stateDirs) {
                try (Stream<Path> files = Files.walk(stateDir)) {
                    files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
                } catch (IOException | UncheckedIOException e) {
                    // one directory that cannot be walked must not keep the others on disk
                }
            }
        } finally {
            stateDirs.clear();
        }
    }
}
