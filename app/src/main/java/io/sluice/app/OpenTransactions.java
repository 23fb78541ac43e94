package io.sluice.app;

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
import org.apache.kafka.clients.admin.ListTransactionsOptions;
import org.apache.kafka.clients.admin.ProducerState;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.admin.TransactionDescription;
import org.apache.kafka.clients.admin.TransactionListing;
import org.apache.kafka.common.TopicPartition;

/**
 * The transactions open on a set of topics, as the partition leaders and the transaction coordinators see them
 * (Kafka's {@code kafka-transactions.sh find-hanging}, for Sluice's own topics). An open transaction holds back a
 * partition's last stable offset, so {@code read_committed} readers, and Kafka Streams restoring a changelog, wait
 * for it to end. The coordinator ends it (commit, abort, or abort on timeout) only if it knows the partition is in
 * it; one whose partition the coordinator does not list is <b>hanging</b>: nothing will ever end it.
 */
final class OpenTransactions {
    private static final long WAIT_SECONDS = 30;

    /** One partition's open transaction, and what its coordinator says of it ({@code null}: nothing). */
    record Open(TopicPartition partition, long producerId, int producerEpoch, int coordinatorEpoch, long startOffset,
                long lastWriteMs, String transactionalId, TransactionDescription coordinator) {

        /** The coordinator does not know this partition is in a transaction, so it will never write its marker. */
        boolean hanging() {
            return coordinator == null || !coordinator.topicPartitions().contains(partition);
        }

        /** One line for a log or a terminal. */
        String describe(long nowMs) {
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
    static List<Open> find(Admin admin, Collection<String> topics) {
        try {
            Set<String> existing = new HashSet<>(admin.listTopics().names().get(WAIT_SECONDS, TimeUnit.SECONDS));
            List<String> present = topics.stream().filter(existing::contains).distinct().toList();
            if (present.isEmpty()) {
                return List.of();
            }
            List<TopicPartition> partitions = new ArrayList<>();
            for (TopicDescription topic : admin.describeTopics(present).allTopicNames()
                    .get(WAIT_SECONDS, TimeUnit.SECONDS).values()) {
                topic.partitions().forEach(p -> partitions.add(new TopicPartition(topic.name(), p.partition())));
            }
            Map<TopicPartition, List<ProducerState>> open = new HashMap<>();
            admin.describeProducers(partitions).all().get(WAIT_SECONDS, TimeUnit.SECONDS).forEach((tp, state) ->
                    state.activeProducers().stream().filter(p -> p.currentTransactionStartOffset().isPresent())
                            .forEach(p -> open.computeIfAbsent(tp, k -> new ArrayList<>()).add(p)));
            if (open.isEmpty()) {
                return List.of();
            }
            Set<Long> producerIds = new HashSet<>();
            open.values().forEach(list -> list.forEach(p -> producerIds.add(p.producerId())));
            Map<Long, String> transactionalIds = new HashMap<>();
            for (TransactionListing listing : admin.listTransactions(new ListTransactionsOptions()
                    .filterProducerIds(producerIds)).all().get(WAIT_SECONDS, TimeUnit.SECONDS)) {
                transactionalIds.put(listing.producerId(), listing.transactionalId());
            }
            Map<String, TransactionDescription> descriptions = transactionalIds.isEmpty() ? Map.of()
                    : admin.describeTransactions(transactionalIds.values()).all().get(WAIT_SECONDS, TimeUnit.SECONDS);
            List<Open> result = new ArrayList<>();
            open.forEach((tp, producers) -> producers.forEach(p -> {
                String id = transactionalIds.get(p.producerId());
                result.add(new Open(tp, p.producerId(), p.producerEpoch(), p.coordinatorEpoch().orElse(-1),
                        p.currentTransactionStartOffset().getAsLong(), p.lastTimestamp(), id,
                        id == null ? null : descriptions.get(id)));
            }));
            result.sort(java.util.Comparator.comparing((Open o) -> o.partition().toString()));
            return result;
        } catch (ExecutionException e) {
            throw new IllegalStateException("Could not inspect the open transactions: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("Could not inspect the open transactions within " + WAIT_SECONDS
                    + " s: the broker did not answer", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while inspecting the open transactions", e);
        }
    }
}
