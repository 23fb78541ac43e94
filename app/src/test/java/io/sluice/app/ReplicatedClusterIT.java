package io.sluice.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.app.load.OutcomeTracker;
import io.sluice.app.runtime.SluiceRuntime;
import io.sluice.config.SluiceConfig;
import io.sluice.config.SluiceConfigDef;
import io.sluice.embedded.registry.EmbeddedSchemaRegistry;
import io.sluice.simulator.ProviderSimulator;
import io.sluice.simulator.SimulatorSettings;
import io.sluice.testkit.KafkaCluster;
import io.sluice.testkit.PromptRequests;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sluice on a three-node KRaft cluster (replication factor 3, min.insync.replicas 2): one node killed under load and
 * restarted. The cluster keeps serving with two nodes, so outcomes must keep flowing while the node is down, and
 * every request still ends in exactly one outcome with the usage tables equal to the outcome topics.
 */
class ReplicatedClusterIT {
    private static final int REQUESTS = 1_500;

    @Test
    @DisplayName("a node of a three-node cluster killed under load and restarted: outcomes keep flowing, every"
            + " request once, usage equal to the outcomes")
    void survivesANodeKilledUnderLoad(@TempDir(cleanup = CleanupMode.ON_SUCCESS) Path dir) throws Exception {
        long seed = Long.getLong("sluice.crash.seed", System.nanoTime());
        Random random = new Random(seed);
        try (KafkaCluster kafka = KafkaCluster.start(dir.resolve("kafka"), 3);
             EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.start(kafka.bootstrapServers(), 0);
             ProviderSimulator simulator = ProviderSimulator.start(SimulatorSettings.defaults(), 0)) {
            SluiceConfig config = TestCluster.config(kafka.bootstrapServers(), registry.url(), simulator, dir,
                    "replicated", Map.of(SluiceConfigDef.LIMIT_USER_RPM, 100_000,
                            SluiceConfigDef.NUM_STREAM_THREADS, 2));
            try (SluiceRuntime runtime = SluiceRuntime.start(config, SimulatorSettings.defaults());
                 OutcomeTracker tracker = new OutcomeTracker(runtime.adminConfig(), runtime.topics());
                 Traffic traffic = new Traffic(runtime, tracker)) {
                runtime.awaitRunning(Duration.ofMinutes(2));
                // Given requests in flight
                for (int i = 0; i < REQUESTS; i++) {
                    traffic.send(PromptRequests.valid("tenant-" + (i % 5), "user-" + (i % 300)));
                }
                traffic.flush();
                // When one node, perhaps a partition leader or the controller, is killed at a random point
                Thread.sleep(200 + random.nextInt(2_000)); // where the kill lands: the scenario itself
                int node = random.nextInt(kafka.size());
                kafka.kill(node);
                // Then outcomes keep flowing on the two nodes left
                long killed = System.nanoTime();
                long before = tracker.outcomes();
                while (tracker.waiting() > 0 && tracker.outcomes() == before) {
                    assertThat(System.nanoTime() - killed).as("no outcome within the bound after node "
                            + (node + 1) + " was killed").isLessThan(CrashRecoveryIT.READY_BOUND.toNanos());
                    tracker.poll(Duration.ofMillis(200));
                }
                long flowingMs = (System.nanoTime() - killed) / 1_000_000;
                Thread.sleep(3_000); // the node stays down a while: the outage itself
                kafka.restart(node);
                System.out.printf("crash suite, 3 nodes (seed %d): node %d killed, outcomes flowing %d ms later%n",
                        seed, node + 1, flowingMs);
                // And every request ends in exactly one outcome, counted once in the usage tables
                traffic.awaitOutcomes(Duration.ofMinutes(4));
                assertThat(tracker.duplicates()).isZero();
                assertThat(tracker.outcomes()).isEqualTo(REQUESTS);
                UsageCheck.assertUsageEqualsTopics(config, runtime.topics(),
                        Integer.parseInt(runtime.httpUrl().replaceAll(".*:", "")), REQUESTS);
            }
        }
    }

}
