package io.sluice.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.app.load.OutcomeTracker;
import io.sluice.app.runtime.OpenTransactions;
import io.sluice.app.runtime.SluiceRuntime;
import io.sluice.config.SluiceConfig;
import io.sluice.config.SluiceConfigDef;
import io.sluice.testkit.PromptRequests;
import io.sluice.topics.SluiceTopics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator whose machine keeps failing: {@code sluice run} on the embedded default (the broker and the registry
 * in the same process) is killed with SIGKILL again and again, at random points of its load, and started again on
 * the same data each time. Every restart must be ready within {@link #READY_BOUND}, and at the end every request
 * has exactly one outcome and the usage tables equal the outcome topics.
 */
class CrashRecoveryIT {
    static final Duration READY_BOUND = Duration.ofSeconds(60);
    private static final int REQUESTS = 3_000;
    private static final int KILLS = 5;

    @Test
    @DisplayName("the whole embedded process killed five times under load comes back ready each time, and every"
            + " request ends in exactly one outcome")
    void embeddedProcessKilledRepeatedly(@TempDir(cleanup = CleanupMode.ON_SUCCESS) Path dir) throws Exception {
        long seed = Long.getLong("sluice.crash.seed", System.nanoTime());
        Random random = new Random(seed);
        int httpPort = AppKillIT.freePort();
        Map<String, Object> settings = new HashMap<>(Map.of(
                SluiceConfigDef.EMBEDDED_DATA_DIR, dir.resolve("kafka").toString(),
                SluiceConfigDef.STATE_DIR, dir.resolve("state").toString(),
                SluiceConfigDef.EMBEDDED_KAFKA_PORT, AppKillIT.freePort(),
                SluiceConfigDef.EMBEDDED_REGISTRY_PORT, AppKillIT.freePort(),
                SluiceConfigDef.HTTP_PORT, httpPort,
                SluiceConfigDef.LIMIT_USER_RPM, 100_000,
                SluiceConfigDef.NUM_STREAM_THREADS, 2));
        SluiceConfig config = SluiceConfig.of(settings);
        String bootstrap = "localhost:" + settings.get(SluiceConfigDef.EMBEDDED_KAFKA_PORT);
        SluiceConfig client = config.with(Map.of(SluiceConfigDef.KAFKA_BOOTSTRAP_SERVERS, bootstrap,
                SluiceConfigDef.SCHEMA_REGISTRY_URL, "http://localhost:"
                        + settings.get(SluiceConfigDef.EMBEDDED_REGISTRY_PORT)));
        List<Long> readyMs = new ArrayList<>();
        SluiceProcess sluice = SluiceProcess.run(config, dir);
        readyMs.add(sluice.awaitReady(httpPort, READY_BOUND).toMillis());
        SluiceTopics topics = SluiceTopics.from(client, SluiceRuntime.registryClient(client));
        try (OutcomeTracker tracker = new OutcomeTracker(Map.of("bootstrap.servers", bootstrap), topics);
             Traffic traffic = new Traffic(client, topics, tracker)) {
            // Given thousands of requests from hundreds of users in the requests topic
            for (int i = 0; i < REQUESTS; i++) {
                traffic.send(PromptRequests.valid("tenant-" + (i % 5), "user-" + (i % 800)));
            }
            traffic.flush();
            for (int kill = 1; kill <= KILLS; kill++) {
                // When the whole process is killed at a random point of its work and started on the same data
                Thread.sleep(200 + random.nextInt(3_500)); // where in the load the kill lands: the scenario itself
                sluice.kill();
                sluice = SluiceProcess.run(config, dir);
                // Then it is ready again within the bound
                try {
                    readyMs.add(sluice.awaitReady(httpPort, READY_BOUND).toMillis());
                } catch (AssertionError notReady) {
                    throw new AssertionError(notReady.getMessage() + "; open transactions:\n"
                            + openTransactions(bootstrap), notReady);
                }
            }
            System.out.printf("crash suite (seed %d): ready after start and each of %d kills in %s ms%n", seed,
                    KILLS, readyMs);
            // And every request ends in exactly one outcome
            traffic.awaitOutcomes(Duration.ofMinutes(4));
            assertThat(tracker.duplicates()).isZero();
            assertThat(tracker.outcomes()).isEqualTo(REQUESTS);
            // And the usage tables equal the outcome topics
            UsageCheck.assertUsageEqualsTopics(client, topics, httpPort, REQUESTS);
        } finally {
            sluice.stop();
        }
    }

    /** What a stuck restart is waiting for, for the failure message. */
    static String openTransactions(String bootstrap) {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            var topics = admin.listTopics(new ListTopicsOptions().listInternal(true)).names().get();
            StringBuilder out = new StringBuilder();
            OpenTransactions.find(admin, topics).forEach(o -> out.append("  ")
                    .append(o.describe(System.currentTimeMillis())).append('\n'));
            return out.isEmpty() ? "  none" : out.toString();
        } catch (Exception e) {
            return "  (could not list them: " + e + ")";
        }
    }
}
