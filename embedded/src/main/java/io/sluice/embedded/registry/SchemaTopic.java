package io.sluice.embedded.registry;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The registry's compacted Kafka topic: created when missing, read from the beginning at start-up, appended to
 * synchronously on every registration. The registry uses partition 0 only, so all of its writes stay in order.
 */
final class SchemaTopic implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SchemaTopic.class);
    private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration LOAD_TIMEOUT = Duration.ofSeconds(60);

    /** Connection settings every client here starts from: the bootstrap servers, and credentials if any. */
    private final Map<String, Object> connection;
    private final TopicPartition partition;
    private final KafkaProducer<String, String> producer;

    private SchemaTopic(Map<String, Object> connection, String topic) {
        this.connection = Map.copyOf(connection);
        this.partition = new TopicPartition(topic, 0);
        this.producer = new KafkaProducer<>(with(connection, Map.of(
                ProducerConfig.CLIENT_ID_CONFIG, "sluice-schema-registry-writer",
                // a registration is answered only once its record is on every in-sync replica, exactly once
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.LINGER_MS_CONFIG, 0,
                // bounded, so a lost broker turns into an error answer rather than a hung HTTP request
                ProducerConfig.MAX_BLOCK_MS_CONFIG, 15_000,
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000)),
                new StringSerializer(), new StringSerializer());
    }

    private static Map<String, Object> with(Map<String, Object> connection, Map<String, Object> settings) {
        Map<String, Object> all = new java.util.HashMap<>(connection);
        all.putAll(settings);
        return all;
    }

    /** Creates the topic when missing (one partition, compacted, the broker's default replication factor). */
    static SchemaTopic open(Map<String, Object> connection, String topic) {
        ensureTopic(connection, topic);
        return new SchemaTopic(connection, topic);
    }

    String name() {
        return partition.topic();
    }

    /** Hands every record from the beginning up to the end offset found now to {@code sink}, in order. */
    int load(SchemaStore store) {
        return load(store::apply, store::applyConfig);
    }

    int load(Consumer<SchemaRecord> sink,
             java.util.function.BiConsumer<String, Optional<Compatibility>> configs) {
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(with(connection, Map.of(
                ConsumerConfig.CLIENT_ID_CONFIG, "sluice-schema-registry-loader",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed")),
                new StringDeserializer(), new StringDeserializer())) {
            // assign(), not subscribe(): no consumer group, every registry instance reads the whole topic
            consumer.assign(Set.of(partition));
            consumer.seekToBeginning(Set.of(partition));
            long end = consumer.endOffsets(Set.of(partition), LOAD_TIMEOUT).get(partition);
            long deadline = System.nanoTime() + LOAD_TIMEOUT.toNanos();
            int loaded = 0;
            while (consumer.position(partition) < end) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("Embedded schema registry could not read topic " + name()
                            + " to its end offset " + end + " within " + LOAD_TIMEOUT);
                }
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    Optional<SchemaRecord> record = SchemaRecord.fromTopic(r.key(), r.value());
                    var config = Compatibility.fromTopic(r.key(), r.value());
                    if (record.isPresent()) {
                        sink.accept(record.get());
                        loaded++;
                    } else if (config.isPresent()) {
                        configs.accept(config.get().getKey(), config.get().getValue());
                    } else if (r.value() != null) {
                        log.warn("Embedded schema registry skips a record it does not understand at {}-{}@{}: {}",
                                r.topic(), r.partition(), r.offset(), r.key());
                    }
                }
            }
            return loaded;
        }
    }

    /** Writes a raw key and value (null: a tombstone) and returns once the broker has acknowledged it. */
    void append(String key, String value) throws ExecutionException, InterruptedException {
        producer.send(new ProducerRecord<>(partition.topic(), partition.partition(), key, value)).get();
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }

    private static void ensureTopic(Map<String, Object> connection, String topic) {
        try (Admin admin = Admin.create(connection)) {
            NewTopic newTopic = new NewTopic(topic, Optional.of(1), Optional.empty())
                    .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
            try {
                admin.createTopics(List.of(newTopic)).all().get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                log.info("Embedded schema registry created its compacted topic {}", topic);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw e;
                }
                warnUnlessCompacted(admin, topic);
            }
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("Embedded schema registry could not create its topic " + topic
                    + " on " + connection.get(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Embedded schema registry was interrupted creating topic " + topic, e);
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
            log.warn("Embedded schema registry topic {} has cleanup.policy={}, not compact: schemas may be deleted "
                    + "by retention, and records written with them become unreadable", topic, policy);
        }
    }
}
