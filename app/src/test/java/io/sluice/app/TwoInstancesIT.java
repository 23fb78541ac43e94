package io.sluice.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sluice.app.load.OutcomeTracker;
import io.sluice.app.runtime.SluiceRuntime;
import io.sluice.config.SluiceConfig;
import io.sluice.config.SluiceConfigDef;
import io.sluice.simulator.SimulatorSettings;
import io.sluice.testkit.PromptRequests;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Two instances of the pipeline share the partitions; a user's limit still holds exactly. */
class TwoInstancesIT {
    @RegisterExtension
    static final TestCluster cluster = new TestCluster();

    @Test
    @DisplayName("holds a user's per-minute limit exactly while two instances share the work")
    void limitHoldsAcrossInstances() {
        Map<String, Object> settings = Map.of(SluiceConfigDef.LIMIT_USER_RPM, 7);
        SluiceConfig first = cluster.config("two", settings);
        SluiceConfig second = first.with(Map.of(SluiceConfigDef.STATE_DIR,
                first.string(SluiceConfigDef.STATE_DIR) + "-second"));
        long minute = Instant.now().toEpochMilli() / 60_000 * 60_000;
        try (SluiceRuntime a = SluiceRuntime.start(first, SimulatorSettings.defaults());
             SluiceRuntime b = SluiceRuntime.start(second, SimulatorSettings.defaults());
             OutcomeTracker tracker = new OutcomeTracker(a.adminConfig(), a.topics());
             Traffic traffic = new Traffic(a, tracker)) {
            // Given both instances running with tasks of their own
            await().atMost(Duration.ofSeconds(90)).until(() -> a.state() == KafkaStreams.State.RUNNING
                    && b.state() == KafkaStreams.State.RUNNING && a.activeTasks() > 0 && b.activeTasks() > 0);

            // When 12 users each send 10 requests within one minute, against a limit of 7
            for (int i = 0; i < 10; i++) {
                for (int user = 0; user < 12; user++) {
                    traffic.send(PromptRequests.valid("acme", "user-" + user,
                            Instant.ofEpochMilli(minute + i * 100 + user)).build());
                }
            }
            traffic.awaitOutcomes(Duration.ofSeconds(90));

            // Then exactly 7 of each user's requests were answered and 3 refused, whichever instance owned them
            assertThat(tracker.responsesByStatus()).isEqualTo(Map.of("OK", 12 * 7));
            assertThat(tracker.rejectionsByReason()).isEqualTo(Map.of("RATE_LIMITED", 12 * 3));
            assertThat(tracker.duplicates()).isZero();
        }
    }
}
