package io.sluice.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.config.SluiceConfig;
import io.sluice.config.SluiceConfigDef;
import io.sluice.provider.ProviderClients;
import io.sluice.registry.InMemorySchemaRegistryClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Pins the topology's shape. Names of stores and repartition topics are deployed state: a rename orphans a
 * changelog and loses in-flight calls and counters. When a change is intended, regenerate the expected file with
 * {@code -Dsluice.updateTopology=true} and say in the commit how running applications migrate.
 */
class TopologyShapeTest {
    private static final Path EXPECTED = Path.of("src/test/resources/topology-description.txt");

    @Test
    @DisplayName("keeps every node, store and internal topic name of the deployed topology")
    void topologyIsPinned() throws IOException {
        SluiceConfig config = SluiceConfig.of(Map.of(SluiceConfigDef.KAFKA_BOOTSTRAP_SERVERS, "test:9092"));
        String description = SluiceTopology.build(config, new InMemorySchemaRegistryClient(),
                new ProviderClients(Map.of())).describe().toString();

        if (Boolean.getBoolean("sluice.updateTopology")) {
            Files.writeString(EXPECTED, description, StandardCharsets.UTF_8);
        }
        assertThat(description).isEqualTo(Files.readString(EXPECTED, StandardCharsets.UTF_8));
    }
}
