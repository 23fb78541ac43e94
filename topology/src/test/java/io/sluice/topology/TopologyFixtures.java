package io.sluice.topology;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
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
    private Path stateDir;

    TopologyFixture start(Map<String, ?> overrides) {
        try {
            stateDir = Files.createTempDirectory("sluice-ttd-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        current = new TopologyFixture(stateDir, overrides);
        return current;
    }

    @Override
    public void afterEach(ExtensionContext context) throws IOException {
        if (current != null) {
            current.close();
            current = null;
        }
        if (stateDir != null) {
            try (Stream<Path> files = Files.walk(stateDir)) {
                files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            }
        }
    }
}
