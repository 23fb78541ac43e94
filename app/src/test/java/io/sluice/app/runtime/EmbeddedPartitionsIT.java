package io.sluice.app.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.app.TestCluster;
import io.sluice.config.SluiceConfig;
import io.sluice.config.SluiceConfigDef;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * How many partitions Sluice gives its topics on the embedded default when {@code topics.partitions} is not set: one
 * instance runs there, so one per stream thread, or as many as its topics already have.
 */
class EmbeddedPartitionsIT {
    @RegisterExtension
    static final TestCluster cluster = new TestCluster();

    @Test
    @DisplayName("on a new embedded broker, one partition per stream thread")
    void onePerStreamThread() {
        assertThat(partitions(embedded("fresh-two", Map.of()))).isEqualTo(2);
        assertThat(partitions(embedded("fresh-three", Map.of(SluiceConfigDef.NUM_STREAM_THREADS, 3)))).isEqualTo(3);
    }

    @Test
    @DisplayName("topics made before (by an earlier version, with other settings) keep their count")
    void existingTopicsKeepTheirCount() throws Exception {
        createTopic("earlier.requests", 6);
        assertThat(partitions(embedded("earlier", Map.of()))).isEqualTo(6);

        // the requests topic renamed or deleted since: a retry tier's topic, which must match, decides
        String tier = io.sluice.retry.RetryTiers.from(embedded("renamed", Map.of())).topics().get(0);
        createTopic(tier, 4);
        assertThat(partitions(embedded("renamed", Map.of()))).isEqualTo(4);
    }

    @Test
    @DisplayName("a count that is set is kept, and a cluster of one's own keeps the default of 6")
    void setOrExternalUnchanged() {
        assertThat(partitions(embedded("set", Map.of(SluiceConfigDef.TOPICS_PARTITIONS, 4)))).isEqualTo(4);
        SluiceConfig external = SluiceConfig.of(Map.of(SluiceConfigDef.KAFKA_BOOTSTRAP_SERVERS, bootstrap(),
                SluiceConfigDef.SCHEMA_REGISTRY_URL, "http://127.0.0.1:9", SluiceConfigDef.TOPICS_PREFIX, "external."));
        assertThat(SluiceRuntime.embeddedPartitions(external, external)
                .integer(SluiceConfigDef.TOPICS_PARTITIONS)).isEqualTo(6);
    }

    /**
     * Creates a topic as an earlier run would have, and waits until the broker lists it: createTopics returns once the
     * controller has committed it, and the broker that answers may learn of it a moment later (seen in CI).
     */
    private static void createTopic(String name, int partitions) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap()))) {
            admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1))).all().get();
            Awaitility.await().atMost(Duration.ofSeconds(30))
                    .until(() -> admin.listTopics().names().get().contains(name));
        }
    }

    /** The embedded default as requested (no bootstrap servers), with topics of their own. */
    private static SluiceConfig embedded(String prefix, Map<String, ?> overrides) {
        Map<String, Object> settings = new HashMap<>(overrides);
        settings.put(SluiceConfigDef.TOPICS_PREFIX, prefix + ".");
        return SluiceConfig.of(settings);
    }

    /** What the runtime resolves, once the embedded broker (here the test's) is up. */
    private static int partitions(SluiceConfig requested) {
        assertThat(requested.embeddedKafka()).isTrue();
        SluiceConfig effective = requested.with(Map.of(SluiceConfigDef.KAFKA_BOOTSTRAP_SERVERS, bootstrap()));
        return SluiceRuntime.embeddedPartitions(requested, effective).integer(SluiceConfigDef.TOPICS_PARTITIONS);
    }

    private static String bootstrap() {
        return cluster.broker.bootstrapServers();
    }
}
