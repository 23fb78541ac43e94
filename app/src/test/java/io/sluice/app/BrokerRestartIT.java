package io.sluice.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sluice.app.load.OutcomeTracker;
import io.sluice.app.runtime.SluiceRuntime;
import io.sluice.config.SluiceConfig;
import io.sluice.config.SluiceConfigDef;
import io.sluice.simulator.Latency;
import io.sluice.simulator.SimulatorSettings;
import io.sluice.testkit.PromptRequests;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The broker dies mid-stream and comes back: no request is lost and none is answered twice. */
class BrokerRestartIT {
    private static final int REQUESTS = 300;

    @RegisterExtension
    static final TestCluster cluster = new TestCluster();

    @ParameterizedTest(name = "broker {0}ped mid-stream")
    @ValueSource(strings = {"stop", "kill"})
    @DisplayName("loses no request and answers none twice when the broker goes down mid-stream and restarts")
    void survivesBrokerRestart(String how) throws Exception {
        SluiceConfig config = cluster.config("restart-" + how, Map.of(SluiceConfigDef.LIMIT_USER_RPM, 100_000));
        // Slow enough answers that calls are in flight when the broker dies, and complete while it is down.
        cluster.simulator.settings(SimulatorSettings.defaults().withLatency(Latency.fixed(400)));
        try (SluiceRuntime runtime = SluiceRuntime.start(config, SimulatorSettings.defaults());
             OutcomeTracker tracker = new OutcomeTracker(runtime.adminConfig(), runtime.topics());
             Traffic traffic = new Traffic(runtime, tracker)) {
            // Given a steady stream of requests
            AtomicInteger sent = new AtomicInteger();
            Thread producerApp = new Thread(() -> {
                for (int i = 0; i < REQUESTS; i++) {
                    traffic.send(PromptRequests.valid("acme", "user-" + (i % 10)));
                    sent.incrementAndGet();
                    pace();
                }
                traffic.flush();
            }, "producer-app");
            producerApp.start();

            // When the broker is stopped (SIGTERM) or killed (SIGKILL) a third of the way through, and restarted
            await().atMost(Duration.ofSeconds(60)).until(() -> sent.get() >= REQUESTS / 3);
            if (how.equals("kill")) {
                cluster.broker.kill();
            } else {
                cluster.broker.stop();
            }
            outage();
            cluster.broker.restart();
            producerApp.join(Duration.ofMinutes(3).toMillis());

            // Then every request still ends in exactly one response (on failure: what each other outcome said)
            traffic.awaitOutcomes(Duration.ofMinutes(4));
            assertThat(tracker.summary()).isEqualTo(OutcomeTracker.Summary.allOk(REQUESTS));
        } finally {
            if (!cluster.broker.isRunning()) {
                cluster.broker.restart(); // leave the cluster usable for the next test whatever happened
            }
        }
    }

    /** A producer app sending about 40 requests a second; traffic shape, not a timing assertion. */
    private static void pace() {
        pause(Duration.ofMillis(25));
    }

    /** The broker stays down this long: the scenario itself, not a wait for something to happen. */
    private static void outage() {
        pause(Duration.ofSeconds(3));
    }

    private static void pause(Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
