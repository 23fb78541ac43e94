package io.sluice.topology;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class TenantPlacementTest {
    @Test
    @DisplayName("places a tenant on the partition Kafka's producer writes its key to, so a request kept in place"
            + " lands in the task the re-key would have sent it to")
    void agreesWithTheProducersPartitioner() {
        for (int partitions : new int[] {1, 3, 6, 12, 50}) {
            for (int i = 0; i < 2_000; i++) {
                String tenant = (i % 3 == 0 ? "tenant-" : i % 3 == 1 ? "Ünïcode-" : "") + i;
                assertThat(TenantPlacement.partitionOf(tenant, partitions)).as("%s of %d", tenant, partitions)
                        .isEqualTo(BuiltInPartitioner.partitionForKey(tenant.getBytes(StandardCharsets.UTF_8),
                                partitions));
            }
        }
    }
}
