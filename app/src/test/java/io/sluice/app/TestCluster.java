package io.sluice.app;

import static org.awaitility.Awaitility.await;

import io.sluice.app.load.OutcomeTracker;
import io.sluice.config.SluiceConfig;
import io.sluice.config.SluiceConfigDef;
import io.sluice.embedded.registry.EmbeddedSchemaRegistry;
import io.sluice.simulator.ProviderSimulator;
import io.sluice.simulator.SimulatorSettings;
import io.sluice.app.runtime.SluiceRuntime;
import io.sluice.testkit.KafkaBrokerProcess;
import java.io.IOException;
import java.time.Duration;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.extension.ExtensionContext;
import java.util.HashMap;
import java.util.Map;

/**
 * What an integration test class runs against: a real broker in its own process (so it can be killed), the
 * schema registry on it, and the provider simulator; started once per class with
 * {@code @RegisterExtension static final TestCluster cluster = new TestCluster();}. Each test takes its own topics
 * and application id.
 */
public final class TestCluster implements BeforeAllCallback, AfterAllCallback {
    public KafkaBrokerProcess broker;
    public EmbeddedSchemaRegistry registry;
    public ProviderSimulator simulator;
    private Path dir;

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        dir = Files.createTempDirectory("sluice-it-");
        broker = KafkaBrokerProcess.start(dir.resolve("broker"));
        registry = EmbeddedSchemaRegistry.start(broker.bootstrapServers(), 0);
        simulator = ProviderSimulator.start(SimulatorSettings.defaults(), 0);
    }

    @Override
    public void afterAll(ExtensionContext context) throws IOException {
        simulator.close();
        registry.close();
        broker.close();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
    }

    /** Configuration of a Sluice instance named {@code name} on this cluster; starts no embedded parts. */
    public SluiceConfig config(String name, Map<String, ?> overrides) {
        return config(broker.bootstrapServers(), registry.url(), simulator, dir, name, overrides);
    }

    /** The same for a cluster of the test's own: its broker, registry and simulator, state under {@code dir}. */
    public static SluiceConfig config(String bootstrap, String registryUrl, ProviderSimulator simulator, Path dir,
                               String name, Map<String, ?> overrides) {
        Map<String, Object> settings = new HashMap<>();
        settings.put(SluiceConfigDef.KAFKA_BOOTSTRAP_SERVERS, bootstrap);
        settings.put(SluiceConfigDef.SCHEMA_REGISTRY_URL, registryUrl);
        settings.put(SluiceConfigDef.OPENAI_BASE_URL, simulator.openAiBaseUrl());
        settings.put(SluiceConfigDef.ANTHROPIC_BASE_URL, simulator.anthropicBaseUrl());
        settings.put(SluiceConfigDef.TOPICS_PREFIX, name + ".");
        settings.put(SluiceConfigDef.APPLICATION_ID, "sluice-" + name);
        settings.put(SluiceConfigDef.STATE_DIR, dir.resolve("state-" + name).toString());
        settings.put(SluiceConfigDef.TOPICS_PARTITIONS, 3);
        settings.put(SluiceConfigDef.NUM_STREAM_THREADS, 1);
        settings.put(SluiceConfigDef.HTTP_HOST, "127.0.0.1");
        settings.put(SluiceConfigDef.HTTP_PORT, 0);
        settings.putAll(overrides);
        return SluiceConfig.of(settings);
    }

    /** What a test does with two running instances of one application. */
    public interface TwoInstances {
        void run(SluiceRuntime first, SluiceRuntime second, OutcomeTracker tracker, Traffic traffic) throws Exception;
    }

    /**
     * Runs {@code body} once two instances of one application, {@code first} and a second with its own state
     * directory, both run and own tasks; the tracker and traffic go through the first.
     */
    public static void withTwoInstances(SluiceConfig first, TwoInstances body) throws Exception {
        SluiceConfig second = first.with(Map.of(SluiceConfigDef.STATE_DIR,
                first.string(SluiceConfigDef.STATE_DIR) + "-second"));
        try (SluiceRuntime a = SluiceRuntime.start(first, SimulatorSettings.defaults());
             SluiceRuntime b = SluiceRuntime.start(second, SimulatorSettings.defaults());
             OutcomeTracker tracker = new OutcomeTracker(a.adminConfig(), a.topics());
             Traffic traffic = new Traffic(a, tracker)) {
            await().atMost(Duration.ofSeconds(90)).until(() -> a.state() == KafkaStreams.State.RUNNING
                    && b.state() == KafkaStreams.State.RUNNING && a.activeTasks() > 0 && b.activeTasks() > 0);
            body.run(a, b, tracker, traffic);
        }
    }
}
