package io.sluice.app.runtime;

import io.sluice.call.CallStage;
import io.sluice.config.SluiceConfig;
import io.sluice.config.SluiceConfigDef;
import io.sluice.schemas.AuditRecord;
import io.sluice.topics.SluiceTopics;
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
import java.util.function.Function;
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
 * <p>Safe means: the transaction was opened by one of this application's own stream-thread producers, the
 * coordinator has since moved that producer past the transaction's epoch (a restarted thread re-initialized it), and
 * the coordinator's own log ({@code __transaction_state}, see {@link TransactionDecisions}) says what the marker must
 * be: COMMIT when it prepared a commit that lists the partition (a crash can leave a prepared commit whose markers
 * were never written: aborting would drop committed records), ABORT when it prepared an abort, or when it never listed
 * the partition (the partition leaders add a partition to the transaction on the coordinator before they append to
 * it, so a coordinator that never listed it never decided to commit it). The watch writes that marker. When the log
 * cannot be read it does nothing and reports.
 */
public final class TransactionWatch {
    private static final Logger log = LoggerFactory.getLogger(TransactionWatch.class);
    static final String AUDIT_ACTION = "TRANSACTION_ABORTED";
    static final String AUDIT_COMMIT = "TRANSACTION_COMMITTED";

    /** What may be done about a hanging transaction without an operator. */
    public enum Repair { ABORT, COMMIT, NONE }

    /** A hanging transaction on one partition, what may be done about it without an operator, and why. */
    public record Blocked(OpenTransactions.Open open, Repair repair, String why) {
        public boolean safe() {
            return repair != Repair.NONE;
        }

        public String describe(long nowMs) {
            return open.describe(nowMs) + "; " + why;
        }
    }

    /** The last inspection: what blocks, what was aborted. */
    /**
     * The last inspection: what blocks (hanging), what was ended, and the open transactions that are not hanging but
     * have had no write for a while ({@code waiting}): readers and restores wait for them until their coordinator
     * ends them, within the transaction timeout.
     */
    public record Report(long atMs, List<Blocked> blocked, List<String> aborted, List<OpenTransactions.Open> waiting,
                  String error) {
        static final Report NONE = new Report(0, List.of(), List.of(), List.of(), null);
    }

    private final Admin admin;
    private final Supplier<List<TopicPartition>> partitions;
    private final String transactionalIdPrefix;
    private final long settleMs;
    private final Consumer<AuditRecord> audit;
    private final String appVersion;
    private final Function<OpenTransactions.Open, TransactionDecisions.Decision> decisions;
    private final Committer committer;
    private Set<List<Object>> seenBefore = Set.of();
    private volatile Report latest = Report.NONE;

    /**
     * @param settleMs how long after its last write a hanging transaction is left alone (a marker on its way lands
     *                 within that), before it is looked at twice
     */
    TransactionWatch(Admin admin, Supplier<List<TopicPartition>> partitions, String applicationId, long settleMs,
                     Consumer<AuditRecord> audit, String appVersion,
                     Function<OpenTransactions.Open, TransactionDecisions.Decision> decisions, Committer committer) {
        this.decisions = decisions;
        this.committer = committer;
        this.admin = admin;
        this.partitions = partitions;
        this.transactionalIdPrefix = applicationId + "-";
        this.settleMs = settleMs;
        this.audit = audit;
        this.appVersion = appVersion;
    }

    /** Writes a COMMIT marker for an open transaction on its partition; null when markers cannot be written. */
    interface Committer {
        void commit(OpenTransactions.Open open) throws Exception;
    }

    /** A watch over {@code applicationId}'s partitions on the cluster {@code client} names, deciding from the log. */
    public static TransactionWatch forCluster(Admin admin, Map<String, Object> client, String applicationId,
                                       java.util.Collection<String> topics, Consumer<AuditRecord> audit) {
        return new TransactionWatch(admin, () -> OpenTransactions.sluicePartitions(admin, applicationId, topics),
                applicationId, SETTLE_MS, audit, CallStage.APP_VERSION,
                TransactionDecisions.reader(client),
                CommitMarker.supported(client) ? open -> CommitMarker.write(admin, open.partition(),
                        open.producerId(), open.producerEpoch(), open.coordinatorEpoch()) : null);
    }

    /** Audit records to the audit topic through {@code producer}, keyed by the partition they are about. */
    public static Consumer<AuditRecord> auditTo(KafkaProducer<String, AuditRecord> producer, SluiceTopics topics) {
        return record -> producer.send(new ProducerRecord<>(topics.audit().name(),
                record.getDetails().get("partition"), record));
    }

    /** How long after its last write a hanging transaction is looked at: past any marker still on its way. */
    public static final long SETTLE_MS = 10_000;
    static final Duration EVERY = Duration.ofSeconds(5);

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
        TransactionWatch watch = forCluster(admin, client, applicationId, topics.names(), auditTo(producer, topics));
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
        }, 0, EVERY.toMillis(), TimeUnit.MILLISECONDS);
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
    public synchronized Report check(boolean abortSafe, String actor) {
        long now = System.currentTimeMillis();
        try {
            List<OpenTransactions.Open> hanging = new ArrayList<>();
            List<OpenTransactions.Open> waiting = new ArrayList<>();
            for (OpenTransactions.Open open : OpenTransactions.find(admin, partitions.get())) {
                if (now - open.lastWriteMs() < settleMs) {
                    continue;
                }
                (open.hanging() ? hanging : waiting).add(open);
            }
            Set<List<Object>> seen = new HashSet<>();
            hanging.forEach(open -> seen.add(key(open)));
            List<String> aborted = new ArrayList<>();
            List<Blocked> remaining = new ArrayList<>();
            for (OpenTransactions.Open open : hanging) {
                if (!seenBefore.contains(key(open))) {
                    continue; // seen once: it may have been ending while it was looked at
                }
                Blocked b = judge(open, transactionalIdPrefix, decisions, committer != null);
                if (abortSafe && b.safe()) {
                    repair(b, b.repair(), actor, "hanging transaction: " + b.why(), now);
                    aborted.add(b.repair() + " " + b.open().partition() + " (producer " + b.open().producerId()
                            + " epoch " + b.open().producerEpoch() + ")");
                } else {
                    remaining.add(b);
                }
            }
            seenBefore = seen;
            latest = new Report(now, List.copyOf(remaining), List.copyOf(aborted), List.copyOf(waiting), null);
        } catch (RuntimeException e) {
            latest = new Report(now, latest.blocked(), List.of(), latest.waiting(), e.getMessage());
        }
        return latest;
    }

    /** What may be done about a hanging transaction without an operator, and why (not). */
    static Blocked judge(OpenTransactions.Open open, String transactionalIdPrefix,
                         Function<OpenTransactions.Open, TransactionDecisions.Decision> decisions,
                         boolean canCommit) {
        String id = open.transactionalId();
        TransactionDescription coordinator = open.coordinator();
        if (id == null || coordinator == null) {
            return new Blocked(open, Repair.NONE, "no coordinator knows the producer, so whether the rest of its"
                    + " transaction committed cannot be told; abort only after checking its other partitions");
        }
        if (!id.startsWith(transactionalIdPrefix)) {
            return new Blocked(open, Repair.NONE, "opened by another application's producer (" + id + ")");
        }
        if (coordinator.state() == TransactionState.PREPARE_COMMIT
                || coordinator.state() == TransactionState.PREPARE_ABORT) {
            return new Blocked(open, Repair.NONE, "its coordinator is still writing markers ("
                    + coordinator.state() + "); wait, then look again");
        }
        if (coordinator.producerId() != open.producerId() || coordinator.producerEpoch() <= open.producerEpoch()) {
            return new Blocked(open, Repair.NONE, "the coordinator has not moved this producer past epoch "
                    + open.producerEpoch() + " (it is at " + coordinator.producerEpoch() + ")");
        }
        String movedOn = "its producer was re-initialized (now at epoch " + coordinator.producerEpoch() + ")";
        return switch (decisions.apply(open)) {
            case COMMIT -> canCommit
                    ? new Blocked(open, Repair.COMMIT, movedOn + " after its coordinator prepared a COMMIT listing"
                            + " this partition, whose marker was never written: safe to commit")
                    : new Blocked(open, Repair.NONE, movedOn + " after its coordinator prepared a COMMIT listing"
                            + " this partition, whose marker was never written; Sluice cannot write COMMIT markers"
                            + " over this connection's security protocol: do not abort it");
            case ABORT -> new Blocked(open, Repair.ABORT, movedOn + "; its coordinator aborted the transaction or"
                    + " never listed this partition in it: safe to abort");
            case ABORTED_AS_ONGOING -> new Blocked(open, Repair.ABORT, movedOn + " while the transaction was"
                    + " ongoing, which aborts it: safe to abort");
            case UNKNOWN -> new Blocked(open, Repair.NONE, movedOn + ", but its coordinator's log"
                    + " (__transaction_state) could not be read to tell a commit from an abort");
        };
    }

    /** Writes {@code repair}'s marker for {@code b}, then logs it and writes its audit record as {@code actor}. */
    public void repair(Blocked b, Repair repair, String actor, String reason, long now) {
        if (repair == Repair.COMMIT) {
            try {
                committer.commit(b.open());
            } catch (Exception e) {
                throw new IllegalStateException("Could not commit the hanging transaction on " + b.open().partition()
                        + ": " + e, e);
            }
            log.warn("Committed a hanging transaction: {}", b.describe(now));
            audit(b, AUDIT_COMMIT, actor, reason, now);
        } else {
            abort(b, actor, reason, now);
        }
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
        audit(b, AUDIT_ACTION, actor, reason, now);
    }

    private void audit(Blocked b, String action, String actor, String reason, long now) {
        OpenTransactions.Open open = b.open();
        audit.accept(AuditRecord.newBuilder()
                .setAuditId(action + ":" + open.partition() + ":" + open.producerId() + ":"
                        + open.producerEpoch() + ":" + open.startOffset())
                .setAt(Instant.ofEpochMilli(now)).setActor(actor).setAction(action)
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
