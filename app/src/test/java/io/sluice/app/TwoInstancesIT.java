package io.sluice.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.config.SluiceConfig;
import io.sluice.config.SluiceConfigDef;
import io.sluice.schemas.PromptRequest;
import io.sluice.testkit.PromptRequests;
import io.sluice.topology.TenantPlacement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Two instances of the pipeline share the partitions; a user's limit still holds exactly. */
class TwoInstancesIT {
    @RegisterExtension
    static final TestCluster cluster = new TestCluster();

    @Test
    @DisplayName("holds a user's per-minute limit exactly while two instances share the work")
    void limitHoldsAcrossInstances() throws Exception {
        long minute = Instant.now().toEpochMilli() / 60_000 * 60_000;
        withTwoInstances("two", 7, (a, b, tracker, traffic) -> {
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
        });
    }

    @Test
    @DisplayName("a tenant's requests keyed by tenant skip the re-key, those keyed by request id take it unless already"
            + " in place, and both meet the same limits across two instances")
    void placementAndReKeyMeetTheSameCounters() throws Exception {
        long minute = Instant.now().toEpochMilli() / 60_000 * 60_000;
        List<String> tenants = onePerPartition(3);
        // Streams deletes the repartition records it has read every 30 s by default: kept, to be counted below
        SluiceConfig config = cluster.config("two-keyed", Map.of(SluiceConfigDef.LIMIT_USER_RPM, 5,
                SluiceConfigDef.KAFKA_PREFIX + StreamsConfig.REPARTITION_PURGE_INTERVAL_MS_CONFIG, Long.MAX_VALUE));
        TestCluster.withTwoInstances(config, (a, b, tracker, traffic) -> {
            // When 4 users of each of 3 tenants (one per partition) send 8 requests against a limit of 5, every
            // other one keyed by tenant and the rest by request id
            int rekeyed = 0;
            for (int i = 0; i < 8; i++) {
                for (String tenant : tenants) {
                    for (int user = 0; user < 4; user++) {
                        PromptRequest request = PromptRequests.valid(tenant, "user-" + user,
                                Instant.ofEpochMilli(minute + i * 100 + user)).build();
                        if (i % 2 == 0) {
                            traffic.sendKeyedByTenant(request);
                        } else {
                            traffic.send(request);
                            boolean inPlace = TenantPlacement.partitionOf(request.getRequestId(), 3)
                                    == TenantPlacement.partitionOf(tenant, 3);
                            rekeyed += inPlace ? 0 : 1;
                        }
                    }
                }
            }
            traffic.awaitOutcomes(Duration.ofSeconds(90));

            // Then every user's limit held exactly, in place or re-keyed, and only the requests read outside their
            // tenant's task crossed the by-tenant repartition topic
            assertThat(tracker.responsesByStatus()).isEqualTo(Map.of("OK", 12 * 5));
            assertThat(tracker.rejectionsByReason()).isEqualTo(Map.of("RATE_LIMITED", 12 * 3));
            assertThat(tracker.duplicates()).isZero();
            assertThat(rekeyed).isBetween(1, 47);
            assertThat(CommittedRecords.read(a.adminConfig(),
                    a.config().string(SluiceConfigDef.APPLICATION_ID) + "-by-tenant-repartition")).hasSize(rekeyed);
        });
    }

    /** {@code partitions} tenant ids, the i-th owned by partition i. */
    private static List<String> onePerPartition(int partitions) {
        String[] tenants = new String[partitions];
        for (int i = 0, found = 0; found < partitions; i++) {
            int partition = TenantPlacement.partitionOf("tenant-" + i, partitions);
            if (tenants[partition] == null) {
                tenants[partition] = "tenant-" + i;
                found++;
            }
        }
        return List.of(tenants);
    }

    /** Runs {@code body} once two instances of {@code name}, with a per-user limit a minute, both have tasks. */
    private static void withTwoInstances(String name, int userLimit, TestCluster.TwoInstances body) throws Exception {
        TestCluster.withTwoInstances(cluster.config(name, Map.of(SluiceConfigDef.LIMIT_USER_RPM, userLimit)), body);
    }
}
