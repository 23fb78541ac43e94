package io.sluice.app;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;

/**
 * How far behind a consumer group fell, sampled once a second while it runs: per input partition, the last stable
 * offset less the group's committed offset. Committed, not fetched: Kafka Streams fetches ahead into its own
 * buffers, so its consumers' {@code records-lag} stays near 0 while records wait there; under exactly-once a record
 * counts as done only once its transaction committed. A backlog between two samples goes unseen.
 */
final class ConsumerLagSampler implements AutoCloseable {
    private final Admin admin;
    private final String group;
    private final AtomicLong maxPartition = new AtomicLong();
    private final AtomicLong maxTotal = new AtomicLong();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(task -> {
        Thread thread = new Thread(task, ThreadCpu.DRIVER + "-lag-sampler");
        thread.setDaemon(true);
        return thread;
    });

    /** Starts sampling the lag of consumer group {@code group} (a Kafka Streams application id). */
    ConsumerLagSampler(Admin admin, String group) {
        this.admin = admin;
        this.group = group;
        timer.scheduleAtFixedRate(this::sample, 0, 1, TimeUnit.SECONDS);
    }

    /** The most records behind in any sample so far: of one partition, and of all partitions together. */
    record Lag(long maxPartition, long maxTotal) {}

    Lag max() {
        return new Lag(maxPartition.get(), maxTotal.get());
    }

    private void sample() {
        try {
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata().get(5, TimeUnit.SECONDS);
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            committed.forEach((partition, offset) -> {
                if (offset != null) { // none committed yet: how far behind is unknown, not the whole partition
                    latest.put(partition, OffsetSpec.latest());
                }
            });
            long total = 0;
            var ends = admin.listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all()
                    .get(5, TimeUnit.SECONDS);
            for (var end : ends.entrySet()) {
                long lag = Math.max(0, end.getValue().offset() - committed.get(end.getKey()).offset());
                maxPartition.accumulateAndGet(lag, Math::max);
                total += lag;
            }
            maxTotal.accumulateAndGet(total, Math::max);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            // a slow broker, say: the sample is missed, where an exception would end the sampling
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
