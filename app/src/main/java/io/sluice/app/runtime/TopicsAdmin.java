package io.sluice.app.runtime;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Creates Sluice's external topics when they are missing; existing topics are left as they are. */
final class TopicsAdmin {
    private static final Logger log = LoggerFactory.getLogger(TopicsAdmin.class);
    /** Dead letters wait for an operator; a week (Kafka's default) is too short across a holiday. */
    static final long DEAD_LETTER_RETENTION_MS = 30L * 24 * 3600 * 1000;

    /** How long a topic just created may stay unknown to the broker answering (its metadata lags the controller). */
    static final long METADATA_WAIT_MS = 30_000;

    private TopicsAdmin() {}

    /**
     * Creates what is missing, then checks that {@code copartitioned} topics have {@code partitions} partitions:
     * the retry tiers' topics bring parked requests back to the task that parked them, the tenant's.
     */
    static void ensure(Map<String, Object> clientConfig, List<String> topics, String deadLetterTopic,
                       List<String> compacted, int partitions, short replicationFactor, List<String> copartitioned) {
        Optional<Short> rf = replicationFactor < 0 ? Optional.empty() : Optional.of(replicationFactor);
        try (Admin admin = Admin.create(clientConfig)) {
            Set<String> existing = admin.listTopics().names().get();
            List<NewTopic> missing = new ArrayList<>();
            for (String topic : topics) {
                if (!existing.contains(topic)) {
                    NewTopic newTopic = new NewTopic(topic, Optional.of(partitions), rf);
                    if (topic.equals(deadLetterTopic)) {
                        newTopic.configs(Map.of(TopicConfig.RETENTION_MS_CONFIG,
                                String.valueOf(DEAD_LETTER_RETENTION_MS)));
                    } else if (compacted.contains(topic)) {
                        newTopic.configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
                    }
                    missing.add(newTopic);
                }
            }
            if (!missing.isEmpty()) {
                try {
                    admin.createTopics(missing).all().get();
                    log.info("Created topics {}", missing.stream().map(NewTopic::name).toList());
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException("Could not create Sluice's topics " + missing + ": "
                                + e.getCause().getMessage(), e.getCause());
                    }
                }
            }
            var described = describeOnceKnown(admin, copartitioned);
            for (String topic : copartitioned) {
                int actual = described.get(topic).partitions().size();
                if (actual != partitions) {
                    throw new org.apache.kafka.common.config.ConfigException("Topic " + topic + " has " + actual
                            + " partitions but topics.partitions is " + partitions + "; they must be equal so retried"
                            + " requests reach the task that holds their state. Set"
                            + " topics.partitions=" + actual + " or recreate the topic.");
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while creating topics", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("Could not list topics at "
                    + clientConfig.get(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG) + ": " + e.getCause().getMessage(),
                    e.getCause());
        }
    }

    /** The first of {@code topics} that exists, with its number of partitions. */
    static Optional<Map.Entry<String, Integer>> partitionsOfFirst(Map<String, Object> clientConfig,
                                                                   List<String> topics) {
        try (Admin admin = Admin.create(clientConfig)) {
            Set<String> existing = admin.listTopics().names().get();
            for (String topic : topics) {
                if (existing.contains(topic)) {
                    return Optional.of(Map.entry(topic,
                            describeOnceKnown(admin, List.of(topic)).get(topic).partitions().size()));
                }
            }
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while describing " + topics, e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("Could not describe " + topics + " at "
                    + clientConfig.get(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG) + ": " + e.getCause().getMessage(),
                    e.getCause());
        }
    }

    /**
     * Describes {@code topics}, waiting while the broker that answers does not know them yet: createTopics returns
     * once the controller has committed the topic, and a broker may learn of it a moment later (seen on a busy
     * 2-core machine as "This server does not host this topic-partition").
     */
    private static Map<String, TopicDescription> describeOnceKnown(Admin admin, List<String> topics)
            throws InterruptedException, ExecutionException {
        long deadline = System.currentTimeMillis() + METADATA_WAIT_MS;
        while (true) {
            try {
                return admin.describeTopics(topics).allTopicNames().get();
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException)
                        || System.currentTimeMillis() > deadline) {
                    throw e;
                }
                log.debug("Topics {} not yet known to the broker; describing again", topics);
                Thread.sleep(100);
            }
        }
    }
}
