package io.sluice.app.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The pipeline bench's CPU split: which group a thread's time lands in. */
class ThreadCpuTest {
    @Test
    @DisplayName("puts the threads of Kafka Streams, the broker, Vert.x and the load driver in their groups")
    void shouldGroupThreadsByTheNamesTheirLibrariesGiveThem() {
        // names as an embedded Kafka 4 broker, Kafka Streams and Vert.x gave them in a run of the bench
        Map<String, ThreadCpu.Group> expected = Map.ofEntries(
                Map.entry("sluice-5d2c7a8e-1f4b-4c1e-9a7d-0b1c2d3e4f50-StreamThread-1", ThreadCpu.Group.STREAM_THREADS),
                Map.entry("sluice-5d2c7a8e-1f4b-4c1e-9a7d-0b1c2d3e4f50-StateUpdater-1", ThreadCpu.Group.STREAM_THREADS),
                Map.entry("kafka-producer-network-thread | sluice-5d2c7a8e-1f4b-4c1e-9a7d-0b1c2d3e4f50-StreamThread-2"
                        + "-producer", ThreadCpu.Group.PRODUCER_IO),
                Map.entry("data-plane-kafka-request-handler-3", ThreadCpu.Group.BROKER_REQUEST_HANDLERS),
                Map.entry("data-plane-kafka-network-thread-1-PLAINTEXT-PLAINTEXT-0", ThreadCpu.Group.BROKER_NETWORK),
                Map.entry("group-coordinator-event-processor-2", ThreadCpu.Group.BROKER_OTHER),
                Map.entry("kafka-1-raft-io-thread", ThreadCpu.Group.BROKER_OTHER),
                Map.entry("TxnMarkerSenderThread-1", ThreadCpu.Group.BROKER_OTHER),
                Map.entry("vert.x-eventloop-thread-0", ThreadCpu.Group.VERTX_EVENT_LOOPS),
                Map.entry("bench-driver-main", ThreadCpu.Group.LOAD_DRIVER),
                Map.entry("kafka-producer-network-thread | bench-driver", ThreadCpu.Group.LOAD_DRIVER),
                // a client's background thread is not the broker's
                Map.entry("kafka-coordinator-heartbeat-thread | sluice", ThreadCpu.Group.OTHER),
                Map.entry("kafka-producer-network-thread | sluice-schema-registry-writer", ThreadCpu.Group.OTHER));

        expected.forEach((name, group) -> assertThat(ThreadCpu.javaGroup(name)).as(name).isEqualTo(group));
    }

    @Test
    @DisplayName("counts the CPU a load driver thread used in the load driver's group, and in the total")
    void shouldCountABusyThreadInItsGroup() throws InterruptedException {
        // Given a snapshot, then a load driver thread that computes for 50 ms of its own CPU time
        ThreadCpu.Snapshot before = ThreadCpu.snapshot();
        Thread busy = Thread.ofPlatform().name(ThreadCpu.DRIVER + "-test").start(() -> {
            var threads = ManagementFactory.getThreadMXBean();
            long spent = threads.getCurrentThreadCpuTime();
            while (threads.getCurrentThreadCpuTime() - spent < 50_000_000L) {
                Math.sqrt(spent++);
            }
            parkUntilInterrupted();
        });
        while (busy.getState() != Thread.State.WAITING) {
            Thread.sleep(5);
        }

        // When the CPU since the snapshot is split
        ThreadCpu.Usage usage = ThreadCpu.snapshot().since(before);
        busy.interrupt();

        // Then the load driver's share holds the 50 ms, and the total all the groups'
        assertThat(usage.nanos().get(ThreadCpu.Group.LOAD_DRIVER)).isGreaterThanOrEqualTo(50_000_000L);
        assertThat(usage.totalNanos()).isGreaterThanOrEqualTo(usage.nanos().get(ThreadCpu.Group.LOAD_DRIVER));
    }

    /** Keeps the thread alive, so it is still listed when the second snapshot is taken. */
    private static void parkUntilInterrupted() {
        while (!Thread.currentThread().isInterrupted()) {
            java.util.concurrent.locks.LockSupport.park();
        }
    }
}
