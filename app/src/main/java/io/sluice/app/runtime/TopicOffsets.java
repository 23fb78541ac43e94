package io.sluice.app.runtime;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;

/**
 * How many records the broker has written to each topic: the log end offsets of all its partitions, summed, for
 * every topic on the cluster (Kafka Streams' repartition and changelog topics, the consumer offsets and the
 * transaction log included). Offsets count transaction markers too, so under exactly-once this is what the broker
 * appended, not only what applications sent.
 */
public final class TopicOffsets {
    private static final Duration SETTLE_POLL = Duration.ofMillis(500);

    private TopicOffsets() {}

    /** Records written so far, by topic. */
    static Map<String, Long> read(Admin admin) {
        try {
            Set<String> topics = admin.listTopics(new ListTopicsOptions().listInternal(true)).names().get();
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            admin.describeTopics(topics).allTopicNames().get().forEach((topic, description) ->
                    description.partitions().forEach(partition ->
                            latest.put(new TopicPartition(topic, partition.partition()), OffsetSpec.latest())));
            Map<String, Long> written = new TreeMap<>();
            admin.listOffsets(latest).all().get().forEach((partition, offset) ->
                    written.merge(partition.topic(), offset.offset(), Long::sum));
            return written;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading the topics' end offsets", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("could not read the topics' end offsets: " + e.getCause().getMessage(),
                    e.getCause());
        }
    }

    /**
     * Records written so far by topic; and what was still written to the applications' topics in the last half second
     * before they were read, empty when those writes had stopped. Kafka's own topics are left out of the latter: an
     * idle Kafka Streams application with wall-clock punctuators still commits a transaction, and offsets, every
     * commit interval.
     */
    public record Reading(Map<String, Long> byTopic, Map<String, Long> stillWriting) {
        public boolean quiet() {
            return stillWriting.isEmpty();
        }
    }

    /**
     * Records written so far, read once the writes have stopped (two reads half a second apart agree) or after
     * {@code atMost}: what a run left behind it (accounting, the last commits' markers) then counts for
     * that run, not the next.
     */
    public static Reading settled(Admin admin, Duration atMost) {
        long until = System.nanoTime() + atMost.toNanos();
        Map<String, Long> last = read(admin);
        Map<String, Long> stillWriting = Map.of("(not read twice)", 0L);
        while (System.nanoTime() < until && !stillWriting.isEmpty()) {
            sleep();
            Map<String, Long> now = read(admin);
            stillWriting = written(last, now);
            stillWriting.keySet().removeIf(topic -> topic.startsWith("__"));
            last = now;
        }
        return new Reading(last, stillWriting);
    }

    /** Records written from {@code before} to {@code after}, by topic; topics nothing was written to left out. */
    public static Map<String, Long> written(Map<String, Long> before, Map<String, Long> after) {
        Map<String, Long> written = new TreeMap<>();
        after.forEach((topic, end) -> {
            long count = end - before.getOrDefault(topic, 0L);
            if (count > 0) {
                written.put(topic, count);
            }
        });
        return written;
    }

    private static void sleep() {
        try {
            Thread.sleep(SETTLE_POLL);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the topics to settle", e);
        }
    }
}
