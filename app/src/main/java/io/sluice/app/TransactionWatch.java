package io.sluice.app;

import io.sluice.call.CallProcessor;
import io.sluice.config.SluiceConfig;
import io.sluice.config.SluiceConfigDef;
import io.sluice.schemas.AuditRecord;
import io.sluice.topology.SluiceTopics;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.AbortTransactionSpec;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TransactionDescription;
import org.apache.kafka.clients.admin.TransactionState;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds the transactions that hold back Sluice's partitions and that nothing will ever end (hanging: the coordinator
 * does not list the partition in the producer's transaction), and aborts those it can abort safely, each with a log
 * line and an audit record. What it cannot abort safely it reports, so that {@code /health/ready} says what blocks
 * the instance and {@code sluice doctor} says what to run, instead of a silent {@code REBALANCING}.
 *
 * <p>Safe means: the transaction was opened by one of this application's own stream-thread producers, and the
 * coordinator has since moved that producer past the transaction's epoch (a restarted thread re-initialized it, which
 * aborts whatever it still had open) without writing this partition's marker. The partition leaders add a partition
 * to the transaction on the coordinator before they append to it (transactions v2), so a coordinator that does not
 * know the partition never decided to commit it; aborting it is what the coordinator would have done. Every hanging
 * partition of that producer and epoch is aborted together, the group's offset commit included, so the input of the
 * transaction is read and processed again: nothing is lost, and nothing is answered twice.
 */
final class TransactionWatch {
    private static final Logger log = LoggerFactory.getLogger(TransactionWatch.class);
    static final String AUDIT_ACTION = "TRANSACTION_ABORTED";

    /** A hanging transaction on one partition and whether it may be aborted without an operator. */
    record Blocked(OpenTransactions.Open open, boolean safe, String why) {
        String describe(long nowMs) {
            return open.describe(nowMs) + "; " + why;
        }
    }

    /** The last inspection: what blocks, what was aborted. */
    record Report(long atMs, List<Blocked> blocked, List<String> aborted, String error) {
        static final Report NONE = new Report(0, List.of(), List.of(), null);
    }

    private final Admin admin;
    private final Supplier<List<TopicPartition>> partitions;
    private final String transactionalIdPrefix;
    private final long settleMs;
    private final Consumer<AuditRecord> audit;
    private final String appVersion;
    private Set<List<Object>> seenBefore = Set.of();
    private volatile Report latest = Report.NONE;

    /**
     * @param settleMs how long after its last write a hanging transaction is left alone (a marker on its way lands
     *                 within that), before it is looked at twice
     */
    TransactionWatch(Admin admin, Supplier<List<TopicPartition>> partitions, String applicationId, long settleMs,
                     Consumer<AuditRecord> audit, String appVersion) {
        this.admin = admin;
        this.partitions = partitions;
        this.transactionalIdPrefix = applicationId + "-";
        this.settleMs = settleMs;
        this.audit = audit;
        this.appVersion = appVersion;
    }

    /** How long after its last write a hanging transaction is looked at: past any marker still on its way. */
    static final long SETTLE_MS = 10_000;
    static final Duration EVERY = Duration.ofSeconds(10);

    /**
     * Inspects the cluster of {@code config} every {@link #EVERY} until closed, aborting what is safe when
     * {@code abortSafe}; audit records go to the audit topic as actor {@code sluice}.
     */
    static Scheduled schedule(Map<String, Object> client, SluiceConfig config,
                              SluiceTopics topics, boolean abortSafe) {
        Admin admin = Admin.create(client);
        Map<String, Object> producerConfig = new HashMap<>(client);
        producerConfig.put(ProducerConfig.ACKS_CONFIG, "all");
        var producer = new KafkaProducer<>(producerConfig,
                new StringSerializer(),
                topics.audit().valueSerde().serializer());
        String applicationId = config.string(SluiceConfigDef.APPLICATION_ID);
        TransactionWatch watch = new TransactionWatch(admin,
                () -> OpenTransactions.sluicePartitions(admin, applicationId, topics.names()), applicationId,
                SETTLE_MS, record -> producer.send(new ProducerRecord<>(
                        topics.audit().name(), record.getDetails().get("partition"), record)),
                CallProcessor.APP_VERSION);
        var timer = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread t = new Thread(task, "sluice-transaction-watch");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(() -> {
            Report report = watch.check(abortSafe, "sluice");
            if (report.error() != null) {
                log.debug("Transaction watch could not inspect: {}", report.error());
            }
            report.blocked().forEach(b -> log.warn("Blocked by a hanging transaction that Sluice will not abort by"
                    + " itself (see 'sluice doctor'): {}", b.describe(report.atMs())));
        }, EVERY.toMillis(), EVERY.toMillis(), TimeUnit.MILLISECONDS);
        return new Scheduled(watch, () -> {
            timer.shutdownNow();
            producer.close(Duration.ofSeconds(5));
            admin.close(Duration.ofSeconds(5));
        });
    }

    /** A watch running on its timer; closing stops it. */
    record Scheduled(TransactionWatch watch, AutoCloseable stop) implements AutoCloseable {
        @Override
        public void close() throws Exception {
            stop.close();
        }
    }

    /** The latest inspection. */
    Report latest() {
        return latest;
    }

    /**
     * Inspects once: finds the hanging transactions that were already hanging at the previous inspection (one seen
     * once may have been ending while it was looked at), and with {@code abortSafe} aborts the safe ones.
     */
    synchronized Report check(boolean abortSafe, String actor) {
        long now = System.currentTimeMillis();
        try {
            List<Blocked> blocked = new ArrayList<>();
            for (OpenTransactions.Open open : OpenTransactions.find(admin, partitions.get())) {
                if (open.hanging() && now - open.lastWriteMs() >= settleMs) {
                    blocked.add(judge(open, transactionalIdPrefix));
                }
            }
            Set<List<Object>> seen = new HashSet<>();
            blocked.forEach(b -> seen.add(key(b.open())));
            List<String> aborted = new ArrayList<>();
            List<Blocked> remaining = new ArrayList<>();
            for (Blocked b : blocked) {
                if (!seenBefore.contains(key(b.open()))) {
                    continue; // seen once: it may have been ending while it was looked at
                }
                if (abortSafe && b.safe()) {
                    abort(b, actor, "hanging transaction: " + b.why(), now);
                    aborted.add(b.open().partition() + " (producer " + b.open().producerId() + " epoch "
                            + b.open().producerEpoch() + ")");
                } else {
                    remaining.add(b);
                }
            }
            seenBefore = seen;
            latest = new Report(now, List.copyOf(remaining), List.copyOf(aborted), null);
        } catch (RuntimeException e) {
            latest = new Report(now, latest.blocked(), List.of(), e.getMessage());
        }
        return latest;
    }

    /** Whether a hanging transaction may be aborted without an operator, and why (not). */
    static Blocked judge(OpenTransactions.Open open, String transactionalIdPrefix) {
        String id = open.transactionalId();
        TransactionDescription coordinator = open.coordinator();
        if (id == null || coordinator == null) {
            return new Blocked(open, false, "no coordinator knows the producer, so whether the rest of its"
                    + " transaction committed cannot be told; abort only after checking its other partitions");
        }
        if (!id.startsWith(transactionalIdPrefix)) {
            return new Blocked(open, false, "opened by another application's producer (" + id + ")");
        }
        if (coordinator.state() == TransactionState.PREPARE_COMMIT
                || coordinator.state() == TransactionState.PREPARE_ABORT) {
            return new Blocked(open, false, "its coordinator is still writing markers (" + coordinator.state()
                    + "); wait, then look again");
        }
        if (coordinator.producerId() != open.producerId() || coordinator.producerEpoch() <= open.producerEpoch()) {
            return new Blocked(open, false, "the coordinator has not moved this producer past epoch "
                    + open.producerEpoch() + " (it is at " + coordinator.producerEpoch() + ")");
        }
        return new Blocked(open, true, "a stream thread of this application re-initialized its producer (now at"
                + " epoch " + coordinator.producerEpoch() + ") without this partition's marker: safe to abort");
    }

    /** Aborts {@code b} on its partition, then logs it and writes its audit record as {@code actor}. */
    void abort(Blocked b, String actor, String reason, long now) {
        OpenTransactions.Open open = b.open();
        try {
            admin.abortTransaction(new AbortTransactionSpec(open.partition(), open.producerId(),
                    (short) open.producerEpoch(), Math.max(0, open.coordinatorEpoch())))
                    .all().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("Could not abort the hanging transaction on " + open.partition() + ": "
                    + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while aborting a hanging transaction", e);
        }
        log.warn("Aborted a hanging transaction: {}", b.describe(now));
        audit.accept(AuditRecord.newBuilder()
                .setAuditId(AUDIT_ACTION + ":" + open.partition() + ":" + open.producerId() + ":"
                        + open.producerEpoch() + ":" + open.startOffset())
                .setAt(Instant.ofEpochMilli(now)).setActor(actor).setAction(AUDIT_ACTION)
                .setRequestId(null).setTenantId(null).setUserId(null).setOutcome(null)
                .setReason(reason)
                .setDetails(Map.of("partition", open.partition().toString(),
                        "producerId", String.valueOf(open.producerId()),
                        "producerEpoch", String.valueOf(open.producerEpoch()),
                        "startOffset", String.valueOf(open.startOffset()),
                        "transactionalId", String.valueOf(open.transactionalId())))
                .setAppVersion(appVersion).build());
    }

    private static List<Object> key(OpenTransactions.Open open) {
        return List.of(open.partition(), open.producerId(), open.producerEpoch(), open.startOffset());
    }
}
