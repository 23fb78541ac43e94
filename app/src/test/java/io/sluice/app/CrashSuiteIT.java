package io.sluice.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.app.load.OutcomeTracker;
import io.sluice.app.runtime.SluiceRuntime;
import io.sluice.config.SluiceConfig;
import io.sluice.config.SluiceConfigDef;
import io.sluice.simulator.SimulatorSettings;
import io.sluice.testkit.PromptRequests;
import io.sluice.topics.SluiceTopics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crashes with the broker in its own process: Sluice killed while the broker lives, the broker killed while Sluice
 * lives, and one of two instances killed while the other works on. Each time every request ends in exactly one
 * outcome, the usage tables equal the outcome topics, and Sluice is ready again within
 * {@link CrashRecoveryIT#READY_BOUND} of each restart.
 */
class CrashSuiteIT {
    private static final int REQUESTS = 2_000;

    @RegisterExtension
    static final TestCluster cluster = new TestCluster();

    private static long seed() {
        return Long.getLong("sluice.crash.seed", System.nanoTime());
    }

    private static SluiceConfig config(String name) {
        return cluster.config(name, Map.of(SluiceConfigDef.LIMIT_USER_RPM, 100_000,
                SluiceConfigDef.NUM_STREAM_THREADS, 2));
    }

    private static void send(Traffic traffic, int requests) {
        for (int i = 0; i < requests; i++) {
            traffic.send(PromptRequests.valid("tenant-" + (i % 5), "user-" + (i % 400)));
        }
        traffic.flush();
    }

    private static void assertEveryRequestOnce(OutcomeTracker tracker, Traffic traffic, int requests) {
        traffic.awaitOutcomes(Duration.ofMinutes(4));
        assertThat(tracker.duplicates()).isZero();
        assertThat(tracker.outcomes()).isEqualTo(requests);
    }

    @Test
    @DisplayName("Sluice killed five times at random points while the broker lives: ready within the bound after"
            + " each restart, every request once, usage equal to the outcomes")
    void sluiceKilledRepeatedly(@TempDir(cleanup = CleanupMode.ON_SUCCESS) Path dir) throws Exception {
        long seed = seed();
        Random random = new Random(seed);
        int httpPort = AppKillIT.freePort();
        SluiceConfig config = config("killrepeat").with(Map.of(SluiceConfigDef.HTTP_PORT, httpPort));
        SluiceTopics topics = SluiceTopics.from(config, SluiceRuntime.registryClient(config));
        List<Long> readyMs = new ArrayList<>();
        SluiceProcess sluice = SluiceProcess.run(config, dir);
        try (OutcomeTracker tracker = new OutcomeTracker(SluiceRuntime.clientConfig(config), topics);
             Traffic traffic = new Traffic(config, topics, tracker)) {
            readyMs.add(sluice.awaitReady(httpPort, CrashRecoveryIT.READY_BOUND).toMillis());
            send(traffic, REQUESTS);
            for (int kill = 0; kill < 5; kill++) {
                Thread.sleep(200 + random.nextInt(3_000)); // where the kill lands: the scenario itself
                sluice.kill();
                sluice = SluiceProcess.run(config, dir);
                readyMs.add(sluice.awaitReady(httpPort, CrashRecoveryIT.READY_BOUND).toMillis());
            }
            System.out.printf("crash suite, Sluice killed (seed %d): ready in %s ms%n", seed, readyMs);
            assertEveryRequestOnce(tracker, traffic, REQUESTS);
            UsageCheck.assertUsageEqualsTopics(config, topics, httpPort, REQUESTS);
        } finally {
            sluice.stop();
        }
    }

    @Test
    @DisplayName("the broker killed three times at random points while Sluice lives: Sluice is ready within the"
            + " bound after each broker restart, every request once, usage equal to the outcomes")
    void brokerKilledRepeatedly() throws Exception {
        long seed = seed();
        Random random = new Random(seed);
        SluiceConfig config = config("brokerkill");
        List<Long> readyMs = new ArrayList<>();
        try (SluiceRuntime runtime = SluiceRuntime.start(config, SimulatorSettings.defaults());
             OutcomeTracker tracker = new OutcomeTracker(runtime.adminConfig(), runtime.topics());
             Traffic traffic = new Traffic(runtime, tracker)) {
            runtime.awaitRunning(Duration.ofMinutes(2));
            send(traffic, REQUESTS);
            for (int kill = 0; kill < 3; kill++) {
                Thread.sleep(200 + random.nextInt(3_000)); // where the kill lands: the scenario itself
                cluster.broker.kill();
                cluster.broker.restart();
                long restarted = System.nanoTime();
                awaitReady(runtime);
                awaitProgress(tracker);
                readyMs.add((System.nanoTime() - restarted) / 1_000_000);
            }
            System.out.printf("crash suite, broker killed (seed %d): outcomes flowing again %s ms after each"
                    + " broker restart%n", seed, readyMs);
            assertEveryRequestOnce(tracker, traffic, REQUESTS);
            UsageCheck.assertUsageEqualsTopics(config, runtime.topics(),
                    Integer.parseInt(runtime.httpUrl().replaceAll(".*:", "")), REQUESTS);
        } finally {
            if (!cluster.broker.isRunning()) {
                cluster.broker.restart(); // leave the cluster usable for the next test whatever happened
            }
        }
    }

    @Test
    @DisplayName("one of two instances killed three times while the other works on: every request once, usage"
            + " equal to the outcomes")
    void oneOfTwoInstancesKilledRepeatedly(@TempDir(cleanup = CleanupMode.ON_SUCCESS) Path dir) throws Exception {
        long seed = seed();
        Random random = new Random(seed);
        int httpPort = AppKillIT.freePort();
        SluiceConfig first = config("twokill").with(Map.of(SluiceConfigDef.HTTP_PORT, httpPort));
        SluiceConfig second = first.with(Map.of(SluiceConfigDef.STATE_DIR,
                first.string(SluiceConfigDef.STATE_DIR) + "-second", SluiceConfigDef.HTTP_PORT, 0));
        SluiceTopics topics = SluiceTopics.from(first, SluiceRuntime.registryClient(first));
        List<Long> readyMs = new ArrayList<>();
        SluiceProcess killed = SluiceProcess.run(first, dir);
        try (SluiceRuntime survivor = SluiceRuntime.start(second, SimulatorSettings.defaults());
             OutcomeTracker tracker = new OutcomeTracker(SluiceRuntime.clientConfig(first), topics);
             Traffic traffic = new Traffic(first, topics, tracker)) {
            killed.awaitReady(httpPort, CrashRecoveryIT.READY_BOUND);
            survivor.awaitRunning(Duration.ofMinutes(2));
            send(traffic, REQUESTS);
            for (int kill = 0; kill < 3; kill++) {
                Thread.sleep(500 + random.nextInt(3_000)); // where the kill lands: the scenario itself
                killed.kill();
                killed = SluiceProcess.run(first, dir);
                readyMs.add(killed.awaitReady(httpPort, CrashRecoveryIT.READY_BOUND).toMillis());
            }
            System.out.printf("crash suite, one of two killed (seed %d): ready in %s ms%n", seed, readyMs);
            assertEveryRequestOnce(tracker, traffic, REQUESTS);
            UsageCheck.assertUsageEqualsTopics(first, topics, httpPort, REQUESTS);
        } finally {
            killed.stop();
        }
    }

    /** Waits until a new outcome arrives (or none is missing); fails past the bound. */
    private static void awaitProgress(OutcomeTracker tracker) {
        long start = System.nanoTime();
        long before = tracker.outcomes();
        while (tracker.waiting() > 0 && tracker.outcomes() == before) {
            if (System.nanoTime() - start > CrashRecoveryIT.READY_BOUND.toNanos()) {
                throw new AssertionError("no outcome within " + CrashRecoveryIT.READY_BOUND + " of the broker's"
                        + " restart; " + tracker.waiting() + " waiting");
            }
            tracker.poll(Duration.ofMillis(200));
        }
    }


    /** Waits for /health/ready; fails past the bound with its last answer. */
    private static void awaitReady(SluiceRuntime runtime) throws InterruptedException {
        Http.awaitOk(runtime.httpUrl() + "/health/ready", System.nanoTime(), CrashRecoveryIT.READY_BOUND, () -> { },
                "after the broker's restart");
    }
}
