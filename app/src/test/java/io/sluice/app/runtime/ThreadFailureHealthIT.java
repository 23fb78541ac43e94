package io.sluice.app.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sluice.app.Http;
import io.sluice.app.TestCluster;
import io.sluice.app.Traffic;
import io.sluice.app.load.OutcomeTracker;
import io.sluice.config.SluiceConfig;
import io.sluice.config.SluiceConfigDef;
import io.sluice.embedded.registry.EmbeddedSchemaRegistry;
import io.sluice.simulator.SimulatorSettings;
import io.sluice.testkit.PromptRequests;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A stream thread that keeps failing leaves Kafka Streams RUNNING (each failed thread is replaced); readiness must
 * say so anyway, and come back once the threads stay up.
 */
class ThreadFailureHealthIT {
    @RegisterExtension
    static final TestCluster cluster = new TestCluster();

    @Test
    @DisplayName("/health/ready (and gauge sluice_ready) is DOWN while stream threads keep failing and UP again once they recover")
    void readinessFollowsFailingThreads() {
        SluiceConfig config = cluster.config("thread-health", Map.of(SluiceConfigDef.HEALTH_FAILURE_WINDOW_MS, 30_000));
        try (SluiceRuntime runtime = SluiceRuntime.start(config, SimulatorSettings.defaults());
             OutcomeTracker tracker = new OutcomeTracker(runtime.adminConfig(), runtime.topics());
             Traffic traffic = new Traffic(runtime, tracker)) {
            runtime.awaitRunning(Duration.ofSeconds(60));
            String ready = runtime.httpUrl() + "/health/ready";
            await().dontCatchUncaughtExceptions().atMost(Duration.ofSeconds(60)).until(() -> Http.get(ready).status() == 200);
            byte[] valid = runtime.topics().requests().valueSerde().serializer().serialize(
                    runtime.topics().requests().name(), PromptRequests.valid("acme", "u", Instant.now()).build());
            int registryPort = cluster.registry.port();

            // Given the schema registry down, and a record whose schema id the instance has not read yet: each
            // stream thread that meets it cannot tell poison from valid and fails (to retry), and is replaced
            cluster.registry.close();
            try {
                traffic.send("unknown-schema", System.currentTimeMillis(),
                        ByteBuffer.allocate(valid.length).put(valid).putInt(1, 4_242).array());
                traffic.flush();

                // Then readiness goes DOWN naming the failures, while the streams state stays RUNNING
                await().dontCatchUncaughtExceptions().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500))
                        .until(() -> Http.get(ready).body().contains("stream threads failed"));
                assertThat(Http.get(ready).status()).isEqualTo(503);
                assertThat(Http.get(runtime.httpUrl() + "/metrics").body())
                        .containsPattern("sluice_stream_thread_replacements_total [1-9]")
                        .containsPattern("(?m)^sluice_ready 0\\.0$");
            } finally {
                // When the registry is back: the record is found poison and dead-lettered, the threads stay up
                cluster.registry = EmbeddedSchemaRegistry.start(cluster.broker.bootstrapServers(), registryPort);
            }
            traffic.awaitOutcomes(Duration.ofSeconds(90));
            assertThat(tracker.deadLettersByReason()).isEqualTo(Map.of("POISON_RECORD", 1));

            // Then readiness is UP again once a failure window passes without a failure
            await().dontCatchUncaughtExceptions().atMost(Duration.ofSeconds(60)).until(() -> Http.get(ready).status() == 200);
            assertThat(Http.get(runtime.httpUrl() + "/metrics").body()).containsPattern("(?m)^sluice_ready 1\\.0$");
        }
    }
}
