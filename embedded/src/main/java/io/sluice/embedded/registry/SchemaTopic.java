package io.sluice.embedded.registry;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The registry's compacted Kafka topic, created when missing. The registry uses partition 0 only, so all of its
 * records stay in one order; {@link TopicReader} reads them into memory and {@link TopicWriter} appends.
 */
final class SchemaTopic {
    private static final Logger log = LoggerFactory.getLogger(SchemaTopic.class);
    private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(30);

    private SchemaTopic() {}

    /** Connection settings every client here starts from (bootstrap servers, credentials), plus its own. */
    static Map<String, Object> with(Map<String, Object> connection, Map<String, Object> settings) {
        Map<String, Object> all = new java.util.HashMap<>(connection);
        all.putAll(settings);
        return all;
    }

    /** Creates the topic when missing (one partition, compacted, the broker's default replication factor). */
    static TopicPartition open(Map<String, Object> connection, String topic) {
        ensureTopic(connection, topic);
        return new TopicPartition(topic, 0);
    }

    private static void ensureTopic(Map<String, Object> connection, String topic) {
        try (Admin admin = Admin.create(connection)) {
            NewTopic newTopic = new NewTopic(topic, Optional.of(1), Optional.empty())
                    .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
            try {
                admin.createTopics(List.of(newTopic)).all().get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                log.info("Schema registry created its compacted topic {}", topic);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw e;
                }
                warnUnlessCompacted(admin, topic);
            }
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("Schema registry could not create its topic " + topic
                    + " on " + connection.get(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Schema registry was interrupted creating topic " + topic, e);
        }
    }

    /** A topic someone created with time retention would silently lose schemas, and with them all old data. */
    private static void warnUnlessCompacted(Admin admin, String topic)
            throws ExecutionException, InterruptedException, TimeoutException {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        Config config = admin.describeConfigs(List.of(resource)).all()
                .get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).get(resource);
        String policy = config.get(TopicConfig.CLEANUP_POLICY_CONFIG).value();
        if (!policy.equals(TopicConfig.CLEANUP_POLICY_COMPACT)) {
            log.warn("Schema registry topic {} has cleanup.policy={}, not compact: schemas may be deleted "
                    + "by retention, and records written with them become unreadable", topic, policy);
        }
    }
}
