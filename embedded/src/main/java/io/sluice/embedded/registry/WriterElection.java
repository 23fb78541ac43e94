package io.sluice.embedded.registry;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.FencedInstanceIdException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which registry instance writes: every instance joins one consumer group on the single-partition topic, and the
 * member that Kafka assigns partition 0 writes. Taking the role fences the previous writer (same transactional
 * id), reads the topic to its end, so the next id is one past every id committed before, and announces this
 * instance's URL in the topic. Losing the assignment, or finding the producer fenced, gives the role up.
 */
final class WriterElection implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(WriterElection.class);
    private static final Duration CATCH_UP = Duration.ofSeconds(30);

    private final Map<String, Object> connection;
    private final TopicPartition partition;
    private final SchemaStore store;
    private final TopicReader reader;
    private final Duration sessionTimeout;
    private volatile boolean running = true;
    /** Present while this instance writes. */
    private volatile SchemaRegistrar registrar;
    /** Set when another writer fenced this one: ask the group again before taking the role back. */
    private final AtomicBoolean fenced = new AtomicBoolean();
    /** Election thread only: a rebalance was asked for and has not completed yet. */
    private boolean awaitingRebalance;
    private TopicWriter writer;
    // set by start(): the URL is known only once the HTTP server listens
    private String url;
    private KafkaConsumer<byte[], byte[]> consumer;
    private Thread thread;

    /** @param sessionTimeout how long a writer may go unheard before another instance takes over */
    WriterElection(Map<String, Object> connection, TopicPartition partition, SchemaStore store, TopicReader reader,
                   Duration sessionTimeout) {
        this.connection = connection;
        this.partition = partition;
        this.store = store;
        this.reader = reader;
        this.sessionTimeout = sessionTimeout;
    }

    /**
     * Joins the election as the instance at {@code url}.
     *
     * @param member this instance's stable name in the group (its URL, say), so a restarted instance takes its
     *               place at once instead of after the session timeout
     */
    synchronized void start(String url, String member) {
        this.url = url;
        this.consumer = new KafkaConsumer<>(SchemaTopic.with(connection, Map.of(
                ConsumerConfig.GROUP_ID_CONFIG, groupId(partition.topic()),
                ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, member,
                ConsumerConfig.CLIENT_ID_CONFIG, "sluice-schema-registry-election",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, (int) sessionTimeout.toMillis(),
                ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, (int) sessionTimeout.toMillis() / 4,
                // a new instance joining does not move the role: the writer keeps partition 0 through rebalances
                ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName())),
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.thread = Thread.ofPlatform().name("sluice-schema-registry-election-" + partition.topic()).daemon()
                .start(this::run);
    }

    static String groupId(String topic) {
        return "sluice-schema-registry-" + topic;
    }

    /** The registrar to change the registry through, while this instance writes. */
    Optional<SchemaRegistrar> registrar() {
        return Optional.ofNullable(registrar);
    }

    /** Waits until this instance writes; false when it does not within {@code timeout}. */
    synchronized boolean awaitRegistrar(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (registrar == null) {
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (left <= 0) {
                return false;
            }
            wait(left);
        }
        return true;
    }

    private void run() {
        consumer.subscribe(List.of(partition.topic()), new ConsumerRebalanceListener() {
            @Override
            public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                // membership is all this consumer is for: the reader reads the records
                consumer.pause(partitions);
                awaitingRebalance = false;
            }

            @Override
            public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                if (partitions.contains(partition)) {
                    stepDown("its partition was reassigned");
                }
            }

            @Override
            public void onPartitionsLost(Collection<TopicPartition> partitions) {
                if (partitions.contains(partition)) {
                    stepDown("it lost its group membership");
                }
            }
        });
        while (running) {
            try {
                if (fenced.getAndSet(false)) {
                    // the group may not have told this instance yet that the partition moved (a paused process
                    // wakes up believing it still writes): rejoin, and act on the answer
                    consumer.enforceRebalance("its writes were fenced");
                    awaitingRebalance = true;
                }
                consumer.poll(Duration.ofMillis(200));
                if (registrar == null && !awaitingRebalance && consumer.assignment().contains(partition)) {
                    takeOver();
                }
            } catch (WakeupException e) {
                // closing
            } catch (FencedInstanceIdException e) {
                // fatal for this consumer: it would fail the same way every second from now on
                log.error("Schema registry at {} leaves the writer election of topic {}: another instance joined it"
                        + " under the same name; give each instance its own --advertised-url", url, partition.topic());
                stepDown("another instance took its name");
                running = false;
            } catch (KafkaException | RegistryError e) {
                log.warn("Schema registry election on topic {} failed; retrying: {}", partition.topic(), e.toString());
                stepDown("of an error");
                sleep();
            }
        }
        stepDown("it is closing");
        // leave now, static member or not, so another instance takes over without waiting for the session timeout
        consumer.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
                .withTimeout(Duration.ofSeconds(5)));
    }

    private synchronized void takeOver() {
        writer = new TopicWriter(connection, partition);
        reader.catchUp(CATCH_UP);
        SchemaRegistrar candidate = new SchemaRegistrar(store, writer, reader, partition.topic());
        candidate.announce(url);
        registrar = candidate;
        notifyAll();
        log.info("Schema registry at {} now writes topic {} (next schema id {})", url, partition.topic(),
                store.nextId());
    }

    /** Gives the role up because another writer fenced this one; it is taken back only if the group says so. */
    void fenced() {
        stepDown("another instance fenced its writes");
        fenced.set(true);
    }

    /** Gives the role up: no more writes through this instance until Kafka assigns it the partition again. */
    synchronized void stepDown(String why) {
        boolean wasWriter = registrar != null;
        registrar = null;
        if (writer != null) {
            writer.close();
            writer = null;
        }
        if (wasWriter) {
            log.info("Schema registry at {} stopped writing topic {} because {}", url, partition.topic(), why);
        }
    }

    private void sleep() {
        try {
            Thread.sleep(1_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    @Override
    public void close() {
        running = false;
        if (thread == null) {
            return;
        }
        consumer.wakeup();
        try {
            thread.join(Duration.ofSeconds(15));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
