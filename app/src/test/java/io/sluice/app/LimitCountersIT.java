package io.sluice.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sluice.app.load.OutcomeTracker;
import io.sluice.app.runtime.SluiceRuntime;
import io.sluice.config.SluiceConfig;
import io.sluice.config.SluiceConfigDef;
import io.sluice.limit.Limit;
import io.sluice.limit.WindowedLimiter;
import io.sluice.simulator.SimulatorSettings;
import io.sluice.testkit.PromptRequests;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The limit counters on a real broker: cached, so a hot key reaches its changelog once per commit. */
class LimitCountersIT {
    @RegisterExtension
    static final TestCluster cluster = new TestCluster();

    @Test
    @DisplayName("writes a busy tenant's counters to the changelog once per commit, not once per request")
    void hotKeyIsWrittenOncePerCommit() {
        // commits three seconds apart, so that a burst of requests meets few of them even on a busy machine
        SluiceConfig config = cluster.config("counters", Map.of(SluiceConfigDef.COMMIT_INTERVAL_MS, 3_000,
                SluiceConfigDef.COMMIT_MIN_INTERVAL_MS, 3_000));
        int users = 20;
        int perUser = 10;
        try (SluiceRuntime sluice = SluiceRuntime.start(config, SimulatorSettings.defaults());
             OutcomeTracker tracker = new OutcomeTracker(sluice.adminConfig(), sluice.topics());
             Traffic traffic = new Traffic(sluice, tracker)) {
            await().atMost(Duration.ofSeconds(90)).until(() -> sluice.state() == KafkaStreams.State.RUNNING);

            // When one tenant's 20 users send 10 requests each at once, all within every limit
            Instant now = Instant.now();
            for (int i = 0; i < perUser; i++) {
                for (int user = 0; user < users; user++) {
                    traffic.send(PromptRequests.valid("acme", "user-" + user, now.plusMillis(i)).build());
                }
            }
            traffic.awaitOutcomes(Duration.ofSeconds(90));

            // Then all are answered, and the tenant's entry was written a handful of times, not 200
            assertThat(tracker.responsesByStatus()).isEqualTo(Map.of("OK", users * perUser));
            long tenantWrites = changelogRecords(sluice, Limit.Scope.TENANT);
            long userWrites = changelogRecords(sluice, Limit.Scope.USER);
            assertThat(tenantWrites).isBetween(1L, users * perUser / 10L);
            assertThat(userWrites).isBetween((long) users, users * perUser / 2L);
        }
    }

    /** The committed records of the scope's counters changelog. */
    private static long changelogRecords(SluiceRuntime sluice, Limit.Scope scope) {
        return CommittedRecords.read(sluice.adminConfig(), sluice.config().string(SluiceConfigDef.APPLICATION_ID)
                + "-" + WindowedLimiter.storeName(scope) + "-changelog").size();
    }
}
