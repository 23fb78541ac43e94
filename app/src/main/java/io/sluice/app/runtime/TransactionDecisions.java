package io.sluice.app.runtime;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.coordinator.transaction.TransactionLog;
import org.apache.kafka.coordinator.transaction.TransactionMetadata;
import org.apache.kafka.coordinator.transaction.TransactionState;

/**
 * What a transaction coordinator decided for a transaction it never finished marking, read from its own log
 * ({@code __transaction_state}): the coordinator writes PREPARE_COMMIT or PREPARE_ABORT, with the transaction's
 * partitions, before it writes any marker, so that record is the decision the markers must carry.
 *
 * <p>This is how a hanging transaction left by a crash is told apart: we saw a coordinator, reloading its log
 * after a kill -9 of a single-node cluster, find a transaction in PREPARE_COMMIT, fail to find the leaders of some
 * of its partitions while the broker was still starting ("Couldn't find leader endpoint"), then have its coordinator
 * epoch bumped and drop those partitions' markers: a committed transaction whose commit markers were never written.
 * Aborting those partitions would drop committed records; they must be committed.
 */
final class TransactionDecisions {
    /** The decision for one partition of one producer's transaction. */
    enum Decision {
        /** The coordinator prepared a commit that lists the partition: write COMMIT. */
        COMMIT,
        /** The coordinator prepared an abort that lists the partition, or it never listed the partition at all. */
        ABORT,
        /** The coordinator listed the partition in an ongoing transaction and moved on: it aborted it. */
        ABORTED_AS_ONGOING,
        /** Its log could not be read, or says nothing usable. */
        UNKNOWN
    }

    /**
     * One record of the coordinator's log, for one transactional id; {@code epochPerTransaction}: written under
     * transactions v2, where every transaction has an epoch of its own.
     */
    record Entry(long producerId, int producerEpoch, TransactionState state, java.util.Set<TopicPartition> partitions,
                 boolean epochPerTransaction) {}

    private static final Duration READ_FOR = Duration.ofSeconds(20);
    /** How far before the transaction's last write its coordinator's records are read from. */
    private static final long LOOK_BACK_MS = 10 * 60_000;

    private TransactionDecisions() {}

    /**
     * The decision for the transaction of {@code producerId} at {@code epoch} (its epoch on the partition) that left
     * {@code partition} open, from the records of {@code transactionalId} in order. Under transactions v2 the
     * transaction's ONGOING records carry its epoch and its PREPARE and COMPLETE records the next one (ending a
     * transaction bumps the epoch), so each record is tied to exactly one transaction. Under v1 several transactions
     * share an epoch and a record cannot be tied to one: UNKNOWN.
     */
    static Decision decide(List<Entry> entries, long producerId, int epoch, TopicPartition partition) {
        boolean listed = false;
        boolean seen = false;
        Decision ended = null;
        for (Entry e : entries) {
            if (e.producerId() == producerId && (e.producerEpoch() == epoch || e.producerEpoch() == epoch + 1)) {
                seen = true;
            }
            if (e.producerId() != producerId || !e.partitions().contains(partition)) {
                continue;
            }
            if (!e.epochPerTransaction() && (e.producerEpoch() == epoch || e.producerEpoch() == epoch + 1)) {
                return Decision.UNKNOWN; // transactions v1: this record may belong to another transaction
            }
            boolean ongoing = e.state() == TransactionState.ONGOING && e.producerEpoch() == epoch;
            boolean ending = e.producerEpoch() == epoch + 1 && switch (e.state()) {
                case PREPARE_COMMIT, COMPLETE_COMMIT, PREPARE_ABORT, COMPLETE_ABORT -> true;
                default -> false;
            };
            if (!ongoing && !ending) {
                continue;
            }
            listed = true;
            if (ending) {
                ended = e.state() == TransactionState.PREPARE_COMMIT || e.state() == TransactionState.COMPLETE_COMMIT
                        ? Decision.COMMIT : Decision.ABORT;
            }
        }
        if (ended != null) {
            return ended;
        }
        if (!seen) {
            // no record of the transaction's epochs is left (compacted, or older than the read): it cannot be told
            return Decision.UNKNOWN;
        }
        // listed only as ongoing, and the producer moved on: re-initializing it aborted the transaction;
        // never listed: the coordinator cannot have committed it
        return listed ? Decision.ABORTED_AS_ONGOING : Decision.ABORT;
    }

    /**
     * Decides for each open transaction from its coordinator's log, read once per transactional id and reused for
     * a few seconds (all the hanging partitions of one transaction are judged in one inspection); UNKNOWN when the
     * log cannot be read.
     */
    static java.util.function.Function<OpenTransactions.Open, Decision> reader(Map<String, Object> client) {
        Map<String, Cached> cache = new java.util.concurrent.ConcurrentHashMap<>();
        return open -> {
            long now = System.currentTimeMillis();
            Cached cached = cache.get(open.transactionalId());
            if (cached == null || now - cached.readAtMs() > CACHE_MS) {
                try {
                    cached = new Cached(now, entries(client, open.transactionalId(),
                            open.lastWriteMs() - LOOK_BACK_MS));
                } catch (RuntimeException e) {
                    return Decision.UNKNOWN;
                }
                cache.put(open.transactionalId(), cached);
            }
            return decide(cached.entries(), open.producerId(), open.producerEpoch(), open.partition());
        };
    }

    private record Cached(long readAtMs, List<Entry> entries) {}

    private static final long CACHE_MS = 5_000;

    private static List<Entry> entries(Map<String, Object> client, String transactionalId, long fromMs) {
        Map<String, Object> props = new HashMap<>(client);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<Entry> entries = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            int partitions = consumer.partitionsFor(Topic.TRANSACTION_STATE_TOPIC_NAME, READ_FOR).size();
            TopicPartition log = new TopicPartition(Topic.TRANSACTION_STATE_TOPIC_NAME,
                    Utils.abs(transactionalId.hashCode()) % partitions);
            consumer.assign(List.of(log));
            OffsetAndTimestamp from = consumer.offsetsForTimes(Map.of(log, Math.max(0, fromMs)), READ_FOR).get(log);
            long end = consumer.endOffsets(List.of(log), READ_FOR).get(log);
            if (from == null) {
                consumer.seek(log, end);
            } else {
                consumer.seek(log, from.offset());
            }
            long until = System.nanoTime() + READ_FOR.toNanos();
            while (consumer.position(log, READ_FOR) < end && System.nanoTime() < until) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    if (record.key() == null) {
                        continue;
                    }
                    TransactionLog.ReadResult read = TransactionLog.read(ByteBuffer.wrap(record.key()),
                            record.value() == null ? null : ByteBuffer.wrap(record.value()));
                    if (read instanceof TransactionLog.TxnRecord txn && txn.transactionId().equals(transactionalId)) {
                        TransactionMetadata m = txn.metadata();
                        entries.add(new Entry(m.producerId(), m.producerEpoch(), m.state(), m.topicPartitions(),
                                m.clientTransactionVersion().supportsEpochBump()));
                    }
                }
            }
            if (consumer.position(log, READ_FOR) < end) {
                throw new IllegalStateException("could not read " + log + " to its end within " + READ_FOR);
            }
        }
        return entries;
    }
}
