package io.sluice.app;

import io.sluice.schemas.PromptResponse;
import io.sluice.schemas.RejectedRequest;
import io.sluice.topology.DeadLetterHeaders;
import io.sluice.topology.SluiceTopics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Watches the three outcome topics (responses, rejected, dead-letter) for the request ids it was told about, the
 * way a producer app would: read_committed, from the end of each topic as it was when the tracker started. Counts
 * outcomes by kind, duplicates (two outcomes for one id), and end-to-end latency as seen by the reader.
 */
public final class OutcomeTracker implements AutoCloseable {
    private final KafkaConsumer<String, byte[]> consumer;
    private final SluiceTopics topics;
    private final Map<String, Long> pending = new ConcurrentHashMap<>();
    private final Map<String, String> outcomes = new HashMap<>();
    private final Map<String, Integer> responsesByStatus = new TreeMap<>();
    private final Map<String, Integer> rejectionsByReason = new TreeMap<>();
    private final Map<String, Integer> deadLettersByReason = new TreeMap<>();
    private final Histogram latencyMs = new Histogram(3_600_000L, 3);
    private int duplicates;
    private long retries;
    private long firstOutcomeAt;
    private long lastOutcomeAt;

    public OutcomeTracker(Map<String, Object> clientConfig, SluiceTopics topics) {
        this.topics = topics;
        Map<String, Object> props = new HashMap<>(clientConfig);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        this.consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : List.of(topics.responses().name(), topics.rejected().name(), topics.deadLetter().name())) {
            consumer.partitionsFor(topic).forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
        }
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        partitions.forEach(consumer::position); // resolve now, so nothing produced from here on is missed
    }

    /** Starts waiting for an outcome for {@code requestId}, sent at {@code createdAtMs}. */
    public void expect(String requestId, long createdAtMs) {
        pending.put(requestId, createdAtMs);
    }

    /** Reads what arrived within {@code timeout}. */
    public void poll(Duration timeout) {
        for (ConsumerRecord<String, byte[]> record : consumer.poll(timeout)) {
            String topic = record.topic();
            if (topic.equals(topics.responses().name())) {
                PromptResponse response = topics.responses().valueSerde().deserializer().deserialize(topic, record.value());
                if (settle(response.getRequestId(), "response", responsesByStatus, response.getStatus().name())) {
                    retries += response.getAttempts() - 1;
                }
            } else if (topic.equals(topics.rejected().name())) {
                RejectedRequest rejection = topics.rejected().valueSerde().deserializer().deserialize(topic, record.value());
                settle(rejection.getRequestId(), "rejected", rejectionsByReason, rejection.getReason().name());
            } else if (record.key() != null) {
                String reason = DeadLetterHeaders.get(record.headers(), DeadLetterHeaders.REASON);
                settle(record.key(), "dead-letter", deadLettersByReason, reason == null ? "POISON_RECORD" : reason);
            }
        }
    }

    private boolean settle(String requestId, String kind, Map<String, Integer> counts, String label) {
        Long createdAt = pending.remove(requestId);
        if (createdAt == null) {
            if (outcomes.containsKey(requestId)) {
                duplicates++;
            }
            return false; // another producer's request, or a duplicate
        }
        lastOutcomeAt = System.currentTimeMillis();
        firstOutcomeAt = firstOutcomeAt == 0 ? lastOutcomeAt : firstOutcomeAt;
        outcomes.put(requestId, kind);
        counts.merge(label, 1, Integer::sum);
        latencyMs.recordValue(Math.max(0, Math.min(System.currentTimeMillis() - createdAt, 3_600_000L)));
        return true;
    }

    /** Provider calls beyond the first, summed over the responses seen: retries and fallbacks. */
    public long retries() {
        return retries;
    }

    /** Wall-clock time of the last outcome seen, epoch ms (0 before any). */
    public long lastOutcomeAt() {
        return lastOutcomeAt;
    }

    public int waiting() {
        return pending.size();
    }

    public int settled() {
        return outcomes.size();
    }

    public int duplicates() {
        return duplicates;
    }

    public Map<String, Integer> responsesByStatus() {
        return responsesByStatus;
    }

    public Map<String, Integer> rejectionsByReason() {
        return rejectionsByReason;
    }

    public Map<String, Integer> deadLettersByReason() {
        return deadLettersByReason;
    }

    public int count(Map<String, Integer> counts) {
        return counts.values().stream().mapToInt(Integer::intValue).sum();
    }

    public long latencyPercentileMs(double percentile) {
        return latencyMs.getTotalCount() == 0 ? 0 : latencyMs.getValueAtPercentile(percentile);
    }

    public long latencyMaxMs() {
        return latencyMs.getTotalCount() == 0 ? 0 : latencyMs.getMaxValue();
    }

    @Override
    public void close() {
        consumer.close();
    }
}
