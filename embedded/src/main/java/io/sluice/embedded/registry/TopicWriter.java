package io.sluice.embedded.registry;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.function.Supplier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The registry's writes: each change (a registration, a delete of several versions, a level) is one Kafka
 * transaction, so it lands whole or not at all. The transactional id is the same for every instance on a topic,
 * so a writer that starts fences the one before it: a deposed or paused writer's next write fails, and an id it
 * was about to hand out never reaches the topic. A producer left in an error state it cannot leave (its commit and
 * then its abort failed: an unexpected broker error, say) is closed, and the next write starts a new one rather than
 * failing until the instance restarts.
 */
final class TopicWriter implements AutoCloseable {
    private final TopicPartition partition;
    private final Supplier<Producer<String, String>> producers;
    /** Null after a producer was given up, until the next write starts another. */
    private Producer<String, String> producer;

    /** Thrown when another writer has started on the topic since this one did. */
    static final class FencedException extends RuntimeException {
        FencedException(Throwable cause) {
            super("Schema registry writer was fenced: another instance writes the topic now", cause);
        }
    }

    /** Creates the producer and takes the writer's role; any earlier writer's open transaction is aborted. */
    TopicWriter(Map<String, Object> connection, TopicPartition partition) {
        this(partition, () -> new KafkaProducer<>(SchemaTopic.with(connection, Map.of(
                ProducerConfig.CLIENT_ID_CONFIG, "sluice-schema-registry-writer",
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId(partition.topic()),
                // a change is answered only once its records are on every in-sync replica
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.LINGER_MS_CONFIG, 0,
                // bounded, so a lost broker turns into an error answer rather than a hung HTTP request
                ProducerConfig.MAX_BLOCK_MS_CONFIG, 15_000,
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000,
                // a writer that dies mid-change holds back every reader until this passes, or a new writer starts
                ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, 30_000)),
                new StringSerializer(), new StringSerializer()));
    }

    /** A writer whose producers come from {@code producers}, each started (its transactions initialized) on use. */
    TopicWriter(TopicPartition partition, Supplier<Producer<String, String>> producers) {
        this.partition = partition;
        this.producers = producers;
        this.producer = started();
    }

    private Producer<String, String> started() {
        Producer<String, String> created = producers.get();
        try {
            created.initTransactions();
        } catch (RuntimeException e) {
            created.close(Duration.ZERO);
            throw e;
        }
        return created;
    }

    static String transactionalId(String topic) {
        return "sluice-schema-registry-" + topic;
    }

    /** Writes {@code records} as one transaction and returns the offset of the last. */
    long write(List<TopicRecord> records) throws ExecutionException, InterruptedException {
        if (producer == null) {
            producer = started();
        }
        try {
            producer.beginTransaction();
            Future<RecordMetadata> last = null;
            for (TopicRecord r : records) {
                last = producer.send(new ProducerRecord<>(partition.topic(), partition.partition(), r.key(),
                        r.value()));
            }
            producer.commitTransaction();
            return last == null ? -1 : last.get().offset();
        } catch (ProducerFencedException | InvalidProducerEpochException e) {
            throw new FencedException(e);
        } catch (KafkaException e) {
            abort();
            throw new ExecutionException(e);
        }
    }

    private void abort() {
        try {
            producer.abortTransaction();
        } catch (ProducerFencedException | InvalidProducerEpochException e) {
            throw new FencedException(e);
        } catch (KafkaException e) {
            // A producer that cannot abort is in an error state it cannot leave: every call would fail at once.
            // Given up; the next write starts a new one, whose start aborts what this one left open.
            producer.close(Duration.ZERO);
            producer = null;
        }
    }

    @Override
    public void close() {
        if (producer != null) {
            producer.close(Duration.ofSeconds(5));
        }
    }
}
