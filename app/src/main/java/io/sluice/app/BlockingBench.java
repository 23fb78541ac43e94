package io.sluice.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.provider.ProviderClient;
import io.sluice.provider.ProviderReply;
import io.sluice.schemas.PromptRequest;
import io.sluice.schemas.PromptResponse;
import io.sluice.schemas.ResponseStatus;
import io.sluice.schemas.TokenUsage;
import io.sluice.topology.RecordMappers;
import io.sluice.topology.SluiceTopics;
import java.time.Duration;
import java.time.Instant;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Named;

/**
 * The design most tutorials show, for {@code sluice bench} to compare against: a processor that calls the provider
 * synchronously inside {@code process()} and forwards the answer, on the same stream threads, broker, simulator,
 * client and guarantee as Sluice's call stage. Each stream thread makes one call at a time.
 */
final class BlockingBench {
    private BlockingBench() {}

    /** A Kafka Streams application of one blocking processor: requests topic in, responses topic out. */
    static KafkaStreams streams(SluiceTopics topics, ProviderClient provider, String model, Duration timeout,
                                Properties properties) {
        StreamsBuilder builder = new StreamsBuilder();
        builder.stream(topics.requests().name(), topics.requests().consumed("blocking-requests-source"))
                .processValues(RecordMappers.<String, PromptRequest, PromptResponse>mapValues(record -> {
                    long started = System.nanoTime();
                    // the stream thread waits here for the whole provider call
                    ProviderReply reply = provider.complete(record.value(), model, timeout).join();
                    return response(record.value(), reply, (System.nanoTime() - started) / 1_000_000);
                }), Named.as("blocking-call"))
                .to(topics.responses().name(), topics.responses().produced("blocking-responses-sink"));
        // each call holds the thread for the provider's latency: few records per poll, or the thread overruns
        // max.poll.interval.ms and is thrown out of the group
        properties.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 20);
        return new KafkaStreams(builder.build(properties), properties);
    }

    private static PromptResponse response(PromptRequest request, ProviderReply reply, long latencyMs) {
        return PromptResponse.newBuilder()
                .setRequestId(request.getRequestId()).setTenantId(request.getTenantId())
                .setUserId(request.getUserId()).setRoute(request.getRoute()).setStatus(ResponseStatus.OK)
                .setProvider("openai").setModel(reply.model()).setContent(reply.content())
                .setContentHtml(reply.content()).setFinishReason(reply.finishReason())
                .setUsage(new TokenUsage(reply.inputTokens(), reply.outputTokens(), reply.cachedInputTokens(),
                        reply.reasoningTokens()))
                .setCostMicros(0).setPriceVersion(null).setProviderLatencyMs(latencyMs)
                .setEndToEndLatencyMs(Duration.between(request.getCreatedAt(), Instant.now()).toMillis())
                .setAttempts(1).setCompletedAt(Instant.now()).setVariant(null).build();
    }

    /** Completed requests/s: responses counted for {@code window} from the first answer on. */
    static ObjectNode measure(KafkaStreams streams, KafkaConsumer<String, byte[]> responses, Duration window) {
        streams.start();
        long first = 0;
        long last = 0;
        int seen = 0;
        long giveUpAt = System.currentTimeMillis() + window.toMillis() + Duration.ofMinutes(2).toMillis();
        while (System.currentTimeMillis() < giveUpAt && (first == 0 || System.currentTimeMillis() - first
                < window.toMillis())) {
            int batch = responses.poll(Duration.ofMillis(100)).count();
            if (batch > 0) {
                last = System.currentTimeMillis();
                first = first == 0 ? last : first;
                seen += batch;
            }
        }
        streams.close(Duration.ofSeconds(30));
        ObjectNode out = new ObjectMapper().createObjectNode();
        out.put("completed", seen);
        out.put("seconds", (last - first) / 1000.0);
        out.put("requestsPerSec", seen <= 1 ? 0.0 : Math.round(100.0 * (seen - 1) * 1000 / Math.max(1, last - first))
                / 100.0);
        return out;
    }
}
