package io.sluice.embedded.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The writer's recovery from a producer that can neither commit nor abort (as after an unexpected error from the
 * broker's transaction coordinator): the registry's next change goes through a new producer instead of failing
 * until the instance restarts. The producers are mocks: this is the edge of the writer, the rest is
 * {@link RegistryInstancesTest}'s, on a real broker.
 */
class TopicWriterTest {
    private static final TopicPartition TOPIC = new TopicPartition("schemas", 0);

    @Test
    @DisplayName("a producer that failed for good is closed, and the next write goes through a new one")
    void aBrokenProducerIsReplaced() throws Exception {
        MockProducer<String, String> broken = producer();
        MockProducer<String, String> fresh = producer();
        Iterator<Producer<String, String>> producers = List.<Producer<String, String>>of(broken, fresh).iterator();
        TopicWriter writer = new TopicWriter(TOPIC, producers::next);
        broken.commitTransactionException = new KafkaException("unexpected error from the coordinator");
        broken.abortTransactionException = new KafkaException("cannot execute transactional method: fatal error");

        assertThatThrownBy(() -> writer.write(List.of(new TopicRecord.IdFloor(1))))
                .isInstanceOf(ExecutionException.class);
        assertThat(broken.closed()).isTrue();

        writer.write(List.of(new TopicRecord.IdFloor(2)));
        assertThat(fresh.transactionInitialized()).isTrue();
        assertThat(fresh.transactionCommitted()).isTrue();
        assertThat(fresh.history()).hasSize(1);
        writer.close();
    }

    @Test
    @DisplayName("a failed commit that can be aborted keeps its producer")
    void anAbortableFailureKeepsTheProducer() throws Exception {
        MockProducer<String, String> producer = producer();
        TopicWriter writer = new TopicWriter(TOPIC, () -> producer);
        producer.commitTransactionException = new KafkaException("a timeout");

        assertThatThrownBy(() -> writer.write(List.of(new TopicRecord.IdFloor(1))))
                .isInstanceOf(ExecutionException.class);
        producer.commitTransactionException = null;
        writer.write(List.of(new TopicRecord.IdFloor(2)));
        assertThat(producer.closed()).isFalse();
        assertThat(producer.transactionCommitted()).isTrue();
        writer.close();
    }

    private static MockProducer<String, String> producer() {
        return new MockProducer<>(true, null, new StringSerializer(), new StringSerializer());
    }
}
