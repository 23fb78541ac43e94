package io.sluice.config;

import static org.apache.kafka.common.config.ConfigDef.Importance.HIGH;
import static org.apache.kafka.common.config.ConfigDef.Importance.LOW;
import static org.apache.kafka.common.config.ConfigDef.Importance.MEDIUM;
import static org.apache.kafka.common.config.ConfigDef.Range.atLeast;
import static org.apache.kafka.common.config.ConfigDef.Range.between;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.ValidString;

/**
 * How Kafka Streams runs Sluice (application id, state, threads, commits, transactions, static membership), and
 * how an instance reports its health and meters and stops.
 */
interface StreamsKeys {
    String APPLICATION_ID = "application.id";
    String STATE_DIR = "state.dir";
    String PROCESSING_GUARANTEE = "processing.guarantee";
    String NUM_STREAM_THREADS = "streams.num.threads";
    String COMMIT_INTERVAL_MS = "streams.commit.interval.ms";
    String COMMIT_MIN_INTERVAL_MS = "streams.commit.min.interval.ms";
    String COMMIT_LIGHT_LOAD = "streams.commit.light.records.per.second";
    String COMMIT_MAX_SHARE = "streams.commit.max.share";
    String GROUP_INSTANCE_ID = "streams.group.instance.id";
    String END_HANGING_TRANSACTIONS = "transactions.end.hanging";
    String TRANSACTION_TIMEOUT_MS = "streams.transaction.timeout.ms";
    String HEALTH_STALL_TIMEOUT_MS = "health.stall.timeout.ms";
    String HEALTH_FAILURE_WINDOW_MS = "health.thread.failure.window.ms";
    String METRICS_TENANT_TAGS_MAX = "metrics.tenant.tags.max";
    String SHUTDOWN_TIMEOUT_MS = "shutdown.timeout.ms";

    /** Defines this group's keys in {@code definition}. */
    static ConfigDef define(ConfigDef definition) {
        return definition
                .define(APPLICATION_ID, Type.STRING, "sluice", new ConfigDef.NonEmptyString(), HIGH,
                        "Kafka Streams application id: consumer group, transactional id and internal topic prefix.")
                .define(STATE_DIR, Type.STRING, ".sluice/state", MEDIUM,
                        "Directory for Kafka Streams state stores (RocksDB).")
                .define(PROCESSING_GUARANTEE, Type.STRING, "exactly_once_v2",
                        ValidString.in("exactly_once_v2", "at_least_once"), HIGH,
                        "Kafka Streams processing guarantee.")
                .define(NUM_STREAM_THREADS, Type.INT, 2, atLeast(1), MEDIUM,
                        "Stream threads per instance.")
                .define(COMMIT_INTERVAL_MS, Type.LONG, 100L, atLeast(1), MEDIUM,
                        "The longest a stage's outputs wait in an open transaction, the wait under load; a request"
                                + " waits for two commits (one per stage it crosses: sanitize, then its tenant's task;"
                                + " one if it was read in that task) before its outcome is visible. While commits are"
                                + " paced, Kafka Streams' own commit interval is twice this, a backstop for work that"
                                + " passes no pacing node.")
                .define(COMMIT_MIN_INTERVAL_MS, Type.LONG, 20L, atLeast(1), MEDIUM,
                        "The shortest wait for a commit: while a stream thread is lightly loaded its stages commit"
                                + " this often, for latency; busier, less often, down to streams.commit.interval.ms,"
                                + " since every commit costs the broker and the thread the same. At or above"
                                + " streams.commit.interval.ms: Streams' interval only.")
                .define(COMMIT_LIGHT_LOAD, Type.LONG, 500L, atLeast(1), LOW,
                        "Records a second through one stream thread's stages (a request counts about three:"
                                + " entering sanitize, entering its tenant's stages, and leaving the call stage) up to"
                                + " which it commits every streams.commit.min.interval.ms; above it the wait grows in"
                                + " proportion.")
                .define(COMMIT_MAX_SHARE, Type.DOUBLE, 0.33, between(0.01, 1.0), LOW,
                        "The largest share of a stream thread's time its commits may take: a thread whose commits"
                                + " are slow (a cold start, a busy broker) waits longer between them, up to"
                                + " streams.commit.interval.ms, instead of spending its time committing a few records"
                                + " each. Under exactly-once only (the commits are timed at the transaction's end)."
                                + " 1: no bound.")
                .define(GROUP_INSTANCE_ID, Type.STRING, "auto", MEDIUM,
                        "Static group membership: an instance restarted after a crash takes its tasks back at once"
                                + " instead of waiting out its dead consumers' session timeout. 'auto': the"
                                + " application id and an id kept in state.dir; empty: dynamic membership; anything"
                                + " else: used as is, and must differ between instances.")
                .define(END_HANGING_TRANSACTIONS, Type.BOOLEAN, true, MEDIUM,
                        "End a transaction that a crash left open on Sluice's partitions and that no coordinator will"
                                + " end, when it was this application's own: with the marker its coordinator decided"
                                + " (commit or abort, read from __transaction_state), a log line and an audit record;"
                                + " false: only report it (/health/ready, sluice doctor).")
                .define(TRANSACTION_TIMEOUT_MS, Type.INT, 60_000, atLeast(1000), LOW,
                        "Producer transaction timeout; must exceed the longest drain wait plus a commit.")
                .define(HEALTH_STALL_TIMEOUT_MS, Type.LONG, 60_000L, atLeast(5_000), MEDIUM,
                        "How long a stage may have records waiting without committing any before /health/ready"
                                + " answers DOWN naming it.")
                .define(HEALTH_FAILURE_WINDOW_MS, Type.LONG, 60_000L, atLeast(1_000), LOW,
                        "Two stream-thread failures within this window make /health/ready answer DOWN, until a window"
                                + " passes without one.")
                .define(METRICS_TENANT_TAGS_MAX, Type.INT, 100, atLeast(0), LOW,
                        "Most tenants an instance tags its token and cost meters with by name: the first ones it"
                                + " answers, in that order; any later tenant is tagged 'other', so tenant ids a producer"
                                + " makes up cannot add series without end (0: every tenant is 'other').")
                .define(SHUTDOWN_TIMEOUT_MS, Type.LONG, 60_000L, atLeast(1_000), MEDIUM,
                        "Longest a stop (Ctrl-C, SIGTERM) may take: past it the process halts, what was not committed"
                                + " is redone by the next start.");
    }
}
