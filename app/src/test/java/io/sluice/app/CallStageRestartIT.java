package io.sluice.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sluice.app.load.OutcomeTracker;
import io.sluice.app.runtime.SluiceRuntime;
import io.sluice.config.SluiceConfig;
import io.sluice.simulator.Latency;
import io.sluice.simulator.SimulatorSettings;
import io.sluice.testkit.PromptRequests;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Sluice restarts while provider calls are in flight: the next instance re-issues them from the in-flight store. */
class CallStageRestartIT {
    private static final int REQUESTS = 12;

    @RegisterExtension
    static final TestCluster cluster = new TestCluster();

    @Test
    @DisplayName("re-issues the calls a stopped instance left in flight, and answers each request once")
    void reissuesCallsLeftInFlight() {
        SluiceConfig config = cluster.config("reissue", Map.of());
        // Given calls that take far longer than the instance will live
        cluster.simulator.settings(SimulatorSettings.defaults().withLatency(Latency.fixed(20_000)));
        cluster.simulator.resetStats();
        SluiceRuntime first = SluiceRuntime.start(config, SimulatorSettings.defaults());
        try (OutcomeTracker tracker = new OutcomeTracker(first.adminConfig(), first.topics());
             Traffic traffic = new Traffic(first, tracker)) {
            for (int i = 0; i < REQUESTS; i++) {
                traffic.send(PromptRequests.valid("acme", "user-" + i));
            }
            traffic.flush();
            await().atMost(Duration.ofSeconds(60)).until(() -> cluster.simulator.stats().inFlight() == REQUESTS);

            // When the instance is stopped with every call still in flight, and a new one starts
            first.close();
            cluster.simulator.settings(SimulatorSettings.defaults().withLatency(Latency.fixed(20)));
            try (SluiceRuntime second = SluiceRuntime.start(config, SimulatorSettings.defaults())) {
                // Then every request is answered exactly once, by calls the new instance made
                traffic.awaitOutcomes(Duration.ofSeconds(90));
                assertThat(tracker.responsesByStatus()).isEqualTo(Map.of("OK", REQUESTS));
                assertThat(tracker.duplicates()).isZero();
                assertThat(cluster.simulator.stats().totalRequests()).isEqualTo(2L * REQUESTS);
            }
        } finally {
            first.close();
        }
    }
}
