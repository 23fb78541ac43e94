package io.sluice.app;

import io.sluice.schemas.PromptResponse;
import io.sluice.schemas.RejectedRequest;
import io.sluice.topics.SluiceTopics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/** Everything committed on the responses and rejected topics, as a consumer of Sluice reads it. */
public record ResultTopics(List<PromptResponse> responses, List<RejectedRequest> rejections) {

    /** Reads both topics from the start until {@code expected} records are there, or the timeout. */
    public static ResultTopics read(Map<String, Object> client, SluiceTopics topics, int expected, Duration timeout) {
        Map<String, Object> props = new HashMap<>(client);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "result-reader-" + System.nanoTime());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        List<PromptResponse> responses = new ArrayList<>();
        List<RejectedRequest> rejections = new ArrayList<>();
        var responseReader = topics.responses().valueSerde().deserializer();
        var rejectionReader = topics.rejected().valueSerde().deserializer();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topics.responses().name(), topics.rejected().name()));
            long until = System.nanoTime() + timeout.toNanos();
            while (responses.size() + rejections.size() < expected && System.nanoTime() < until) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    if (record.topic().equals(topics.responses().name())) {
                        responses.add(responseReader.deserialize(record.topic(), record.headers(), record.value()));
                    } else {
                        rejections.add(rejectionReader.deserialize(record.topic(), record.headers(), record.value()));
                    }
                }
            }
        }
        return new ResultTopics(responses, rejections);
    }

    /**
     * Everything committed on both topics up to now, read to their last stable offsets: for asserting that nothing
     * more came (a duplicate), which a wait for one record too many cannot tell from a slow group join.
     */
    public static ResultTopics committed(Map<String, Object> client, SluiceTopics topics) {
        var responseReader = topics.responses().valueSerde().deserializer();
        var rejectionReader = topics.rejected().valueSerde().deserializer();
        List<PromptResponse> responses = new ArrayList<>();
        List<RejectedRequest> rejections = new ArrayList<>();
        CommittedRecords.read(client, topics.responses().name()).forEach(record -> responses.add(
                responseReader.deserialize(record.topic(), record.headers(), record.value())));
        CommittedRecords.read(client, topics.rejected().name()).forEach(record -> rejections.add(
                rejectionReader.deserialize(record.topic(), record.headers(), record.value())));
        return new ResultTopics(responses, rejections);
    }

    /** Per tenant: outcomes, input, cached input and output tokens, cost. */
    public Map<String, long[]> byTenant() {
        Map<String, long[]> sums = new HashMap<>();
        for (PromptResponse r : responses) {
            long[] s = sums.computeIfAbsent(r.getTenantId(), k -> new long[5]);
            s[0]++;
            s[1] += r.getUsage().getInputTokens();
            s[2] += r.getUsage().getCachedInputTokens();
            s[3] += r.getUsage().getOutputTokens();
            s[4] += r.getCostMicros();
        }
        for (RejectedRequest r : rejections) {
            sums.computeIfAbsent(r.getTenantId(), k -> new long[5])[0]++;
        }
        return sums;
    }

    /** A usage row of the HTTP API in the order of {@link #byTenant}: requests, input, cached input, output, cost. */
    public static long[] totals(com.fasterxml.jackson.databind.JsonNode row) {
        return new long[] {row.path("requests").asLong(), row.path("inputTokens").asLong(),
                row.path("cachedInputTokens").asLong(), row.path("outputTokens").asLong(),
                row.path("costMicros").asLong()};
    }
}
