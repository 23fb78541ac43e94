package io.sluice.app.runtime;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.ListTransactionsOptions;
import org.apache.kafka.clients.admin.ProducerState;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.admin.TransactionDescription;
import org.apache.kafka.clients.admin.TransactionListing;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.utils.Utils;

/**
 * The transactions open on a set of topics, as the partition leaders and the transaction coordinators see them
 * (Kafka's {@code kafka-transactions.sh find-hanging}, for Sluice's own topics). An open transaction holds back a
 * partition's last stable offset, so {@code read_committed} readers, and Kafka Streams restoring a changelog, wait
 * for it to end. The coordinator ends it (commit, abort, or abort on timeout) only if it knows the partition is in
 * it; one whose partition the coordinator does not list is <b>hanging</b>: nothing will ever end it.
 */
public final class OpenTransactions {
    private static final long WAIT_SECONDS = 30;

    /** One partition's open transaction, and what its coordinator says of it ({@code null}: nothing). */
    public record Open(TopicPartition partition, long producerId, int producerEpoch, int coordinatorEpoch, long startOffset,
                long lastWriteMs, String transactionalId, TransactionDescription coordinator) {

        /** The coordinator does not know this partition is in a transaction, so it will never write its marker. */
        boolean hanging() {
            return coordinator == null || !coordinator.topicPartitions().contains(partition);
        }

        /** One line for a log or a terminal. */
        public String describe(long nowMs) {
            String known = coordinator == null
                    ? (transactionalId == null ? "no coordinator knows producer " + producerId
                            : "coordinator has no state for " + transactionalId)
                    : "coordinator: " + coordinator.state() + " epoch " + coordinator.producerEpoch()
                            + (coordinator.topicPartitions().contains(partition) ? ", partition included"
                                    : ", partition NOT included");
            return String.format("%s from offset %d: producer %d epoch %d (%s), last write %d s ago; %s%s",
                    partition, startOffset, producerId, producerEpoch,
                    transactionalId == null ? "transactional id unknown" : transactionalId,
                    Math.max(0, (nowMs - lastWriteMs) / 1000), known, hanging() ? " -> HANGING" : "");
        }
    }

    private OpenTransactions() {}

    /** Every transaction open on a partition of {@code topics} (missing topics are skipped). */
    public static List<Open> find(Admin admin, Collection<String> topics) {
        return find(admin, partitionsOf(admin, topics));
    }

    /**
     * The partitions a Sluice application writes transactionally: its external topics, its internal topics
     * ({@code <application.id>-...}) and the {@code __consumer_offsets} partition holding its group's offsets.
     */
    static List<TopicPartition> sluicePartitions(Admin admin, String applicationId, Collection<String> external) {
        Set<String> names = new HashSet<>();
        for (String topic : await(admin.listTopics(new ListTopicsOptions().listInternal(true)).names(),
                "list Sluice's topics")) {
            if (external.contains(topic) || topic.startsWith(applicationId + "-")
                    || topic.equals(Topic.GROUP_METADATA_TOPIC_NAME)) {
                names.add(topic);
            }
        }
        List<TopicPartition> partitions = new ArrayList<>();
        if (names.isEmpty()) {
            return partitions;
        }
        for (TopicDescription topic : await(admin.describeTopics(names).allTopicNames(), "describe " + names)
                .values()) {
            if (topic.name().equals(Topic.GROUP_METADATA_TOPIC_NAME)) {
                // where the group coordinator keeps this group's offsets (GroupCoordinator's partitionFor)
                partitions.add(new TopicPartition(topic.name(),
                        Utils.abs(applicationId.hashCode()) % topic.partitions().size()));
            } else {
                topic.partitions().forEach(p -> partitions.add(new TopicPartition(topic.name(), p.partition())));
            }
        }
        return partitions;
    }

    private static List<TopicPartition> partitionsOf(Admin admin, Collection<String> topics) {
        Set<String> existing = new HashSet<>(await(admin.listTopics(new ListTopicsOptions().listInternal(true))
                .names(), "list the topics"));
        List<String> present = topics.stream().filter(existing::contains).distinct().toList();
        List<TopicPartition> partitions = new ArrayList<>();
        if (present.isEmpty()) {
            return partitions;
        }
        for (TopicDescription topic : await(admin.describeTopics(present).allTopicNames(), "describe " + present)
                .values()) {
            topic.partitions().forEach(p -> partitions.add(new TopicPartition(topic.name(), p.partition())));
        }
        return partitions;
    }

    /** Every transaction open on one of {@code partitions}. */
    static List<Open> find(Admin admin, List<TopicPartition> partitions) {
        if (partitions.isEmpty()) {
            return List.of();
        }
        Map<TopicPartition, List<ProducerState>> open = new HashMap<>();
        await(admin.describeProducers(partitions).all(), "describe the producers").forEach((tp, state) ->
                state.activeProducers().stream().filter(p -> p.currentTransactionStartOffset().isPresent())
                        .forEach(p -> open.computeIfAbsent(tp, k -> new ArrayList<>()).add(p)));
        if (open.isEmpty()) {
            return List.of();
        }
        Set<Long> producerIds = new HashSet<>();
        open.values().forEach(list -> list.forEach(p -> producerIds.add(p.producerId())));
        Map<Long, String> transactionalIds = new HashMap<>();
        for (TransactionListing listing : await(admin.listTransactions(new ListTransactionsOptions()
                .filterProducerIds(producerIds)).all(), "list the transactions")) {
            transactionalIds.put(listing.producerId(), listing.transactionalId());
        }
        Map<String, TransactionDescription> descriptions = transactionalIds.isEmpty() ? Map.of()
                : await(admin.describeTransactions(transactionalIds.values()).all(), "describe the transactions");
        List<Open> result = new ArrayList<>();
        open.forEach((tp, producers) -> producers.forEach(p -> {
            String id = transactionalIds.get(p.producerId());
            result.add(new Open(tp, p.producerId(), p.producerEpoch(), p.coordinatorEpoch().orElse(-1),
                    p.currentTransactionStartOffset().getAsLong(), p.lastTimestamp(), id,
                    id == null ? null : descriptions.get(id)));
        }));
        result.sort(java.util.Comparator.comparing((Open o) -> o.partition().toString()));
        return result;
    }

    private static <T> T await(KafkaFuture<T> future, String what) {
        try {
            return future.get(WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException("Could not " + what + ": " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("Could not " + what + " within " + WAIT_SECONDS
                    + " s: the broker did not answer", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while trying to " + what, e);
        }
    }
}
