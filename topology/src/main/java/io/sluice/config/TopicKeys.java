package io.sluice.config;

import static org.apache.kafka.common.config.ConfigDef.Importance.LOW;
import static org.apache.kafka.common.config.ConfigDef.Importance.MEDIUM;
import static org.apache.kafka.common.config.ConfigDef.Range.atLeast;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Type;

/**
 * The names of Sluice's topics, and how Sluice creates them.
 */
interface TopicKeys {
    String TOPICS_PREFIX = "topics.prefix";
    String TOPIC_REQUESTS = "topics.requests";
    String TOPIC_RESPONSES = "topics.responses";
    String TOPIC_REJECTED = "topics.rejected";
    String TOPIC_DEAD_LETTER = "topics.dead.letter";
    String TOPIC_BUDGET_EVENTS = "topics.budget.events";
    String TOPIC_RETRY = "topics.retry";
    String TOPIC_USAGE = "topics.usage";
    String TOPIC_PROVIDER_STATS = "topics.provider.stats";
    String TOPIC_AUDIT = "topics.audit";
    String TOPICS_PARTITIONS = "topics.partitions";
    String TOPICS_REPLICATION_FACTOR = "topics.replication.factor";

    /** Defines this group's keys in {@code definition}. */
    static ConfigDef define(ConfigDef definition) {
        return definition
                .define(TOPICS_PREFIX, Type.STRING, "sluice.", MEDIUM,
                        "Prefix of every topic name below.")
                .define(TOPIC_REQUESTS, Type.STRING, "requests", new ConfigDef.NonEmptyString(), MEDIUM,
                        "Topic producers write PromptRequest events to.")
                .define(TOPIC_RESPONSES, Type.STRING, "responses", new ConfigDef.NonEmptyString(), MEDIUM,
                        "Topic of PromptResponse outcomes, keyed by request id.")
                .define(TOPIC_REJECTED, Type.STRING, "rejected", new ConfigDef.NonEmptyString(), MEDIUM,
                        "Topic of RejectedRequest outcomes, keyed by request id.")
                .define(TOPIC_DEAD_LETTER, Type.STRING, "dead-letter", new ConfigDef.NonEmptyString(), MEDIUM,
                        "Dead-letter topic: original bytes plus error headers.")
                .define(TOPIC_BUDGET_EVENTS, Type.STRING, "budget-events", new ConfigDef.NonEmptyString(), MEDIUM,
                        "Topic of BudgetEvent records (soft threshold crossed, hard limit reached), keyed by tenant id.")
                .define(TOPIC_RETRY, Type.STRING, "retry", new ConfigDef.NonEmptyString(), MEDIUM,
                        "Base name of the delayed retry topics, one per tier of call.retry.tiers: <prefix><name>-1, -2, ...")
                .define(TOPIC_USAGE, Type.STRING, "usage", new ConfigDef.NonEmptyString(), MEDIUM,
                        "Compacted topic of usage rows (tenant and user, per hour, day, month and in total), for sinks.")
                .define(TOPIC_PROVIDER_STATS, Type.STRING, "provider-stats", new ConfigDef.NonEmptyString(), MEDIUM,
                        "Compacted topic of per-task provider/model/variant rows per minute, for sinks (merge by key).")
                .define(TOPIC_AUDIT, Type.STRING, "audit", new ConfigDef.NonEmptyString(), MEDIUM,
                        "Audit trail: one record per terminal outcome and per operator action; no prompt text.")
                .define(TOPICS_PARTITIONS, Type.INT, 6, atLeast(1), MEDIUM,
                        "Partitions of topics Sluice creates; bounds how many stream threads, over all instances, share the"
                                + " work. On the embedded default, when not set: the existing topics' count, else one"
                                + " per stream thread.")
                .define(TOPICS_REPLICATION_FACTOR, Type.SHORT, (short) -1, LOW,
                        "Replication factor of topics Sluice creates (-1: the broker's default).");
    }
}
