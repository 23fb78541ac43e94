package io.sluice.embedded.registry;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every registry instance's one way to change its state: a thread that reads the topic from the beginning and
 * applies each committed record, in order, for as long as the instance runs. Writes, this instance's or another's,
 * become visible when this reader applies them; {@link #awaitApplied} is how a caller waits for that.
 */
final class TopicReader implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(TopicReader.class);
    private static final Duration POLL = Duration.ofMillis(100);

    private final TopicPartition partition;
    private final KafkaConsumer<String, String> consumer;
    private final Admin admin;
    private final SchemaStore store;
    private final Thread thread;
    private final Object progress = new Object();
    /** The next offset to read: every record before it is applied. */
    private volatile long position;
    private volatile boolean running = true;

    private TopicReader(Map<String, Object> connection, TopicPartition partition, SchemaStore store) {
        this.partition = partition;
        this.store = store;
        this.admin = Admin.create(connection);
        this.consumer = new KafkaConsumer<>(SchemaTopic.with(connection, Map.of(
                ConsumerConfig.CLIENT_ID_CONFIG, "sluice-schema-registry-reader",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                // an aborted write (a writer deposed mid-transaction) is never applied
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed")),
                new StringDeserializer(), new StringDeserializer());
        // assign(), not subscribe(): no consumer group, every registry instance reads the whole topic
        consumer.assign(Set.of(partition));
        consumer.seekToBeginning(Set.of(partition));
        this.thread = Thread.ofPlatform().name("sluice-schema-registry-reader-" + partition.topic()).daemon()
                .unstarted(this::run);
    }

    /** Starts reading into {@code store} and returns once everything committed now is applied. */
    static TopicReader start(Map<String, Object> connection, TopicPartition partition, SchemaStore store,
                             Duration timeout) {
        TopicReader reader = new TopicReader(connection, partition, store);
        reader.thread.start();
        try {
            reader.catchUp(timeout);
            return reader;
        } catch (RuntimeException e) {
            reader.close();
            throw e;
        }
    }

    private void run() {
        while (running) {
            try {
                for (ConsumerRecord<String, String> r : consumer.poll(POLL)) {
                    var record = TopicRecord.parse(r.key(), r.value());
                    if (record.isPresent()) {
                        apply(r, record.get());
                    } else if (r.value() != null) {
                        log.warn("Schema registry skips a record it does not understand at {}-{}@{}: {}",
                                r.topic(), r.partition(), r.offset(), r.key());
                    }
                }
                position = consumer.position(partition);
                synchronized (progress) {
                    progress.notifyAll();
                }
            } catch (WakeupException e) {
                // closing
            } catch (KafkaException e) {
                log.warn("Schema registry could not read topic {}; retrying: {}", partition.topic(), e.toString());
                pause();
            }
        }
        consumer.close(Duration.ofSeconds(5));
    }

    /** One record that cannot be applied is skipped, loudly: the reader must go on, or every instance waits. */
    private void apply(ConsumerRecord<String, String> r, TopicRecord record) {
        try {
            store.apply(record);
        } catch (RuntimeException e) {
            log.error("Schema registry could not apply the record at {}-{}@{} ({}); skipping it", r.topic(),
                    r.partition(), r.offset(), r.key(), e);
        }
    }

    private void pause() {
        synchronized (progress) {
            try {
                progress.wait(1_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                running = false;
            }
        }
    }

    /** Waits until the record at {@code offset} (and all before it) is applied. */
    void awaitApplied(long offset, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (progress) {
            while (position <= offset) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || !running) {
                    throw RegistryError.timeout("Schema registry could not read topic " + partition.topic()
                            + " up to offset " + offset + " within " + timeout + " (it has read to " + position + ")");
                }
                try {
                    progress.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw RegistryError.timeout("Schema registry was interrupted reading topic " + partition.topic());
                }
            }
        }
    }

    /** Waits until every record committed to the topic by now is applied: read-your-writes across instances. */
    void catchUp(Duration timeout) {
        long end = endOffset(timeout);
        if (end > 0) {
            awaitApplied(end - 1, timeout);
        }
    }

    /** The offset after the last committed record (markers included): how far a read_committed reader can get. */
    private long endOffset(Duration timeout) {
        try {
            return admin.listOffsets(Map.of(partition, OffsetSpec.latest()),
                            new ListOffsetsOptions(IsolationLevel.READ_COMMITTED))
                    .partitionResult(partition).get(timeout.toMillis(), TimeUnit.MILLISECONDS).offset();
        } catch (ExecutionException | TimeoutException e) {
            throw RegistryError.timeout("Schema registry could not find the end of topic " + partition.topic()
                    + ": " + (e.getCause() == null ? e : e.getCause()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw RegistryError.timeout("Schema registry was interrupted finding the end of " + partition.topic());
        }
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            thread.join(Duration.ofSeconds(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        admin.close(Duration.ofSeconds(5));
    }
}
