package io.sluice.app.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.provider.CallTimeouts;
import io.sluice.provider.ProviderClient;
import io.sluice.provider.ProviderReply;
import io.sluice.schemas.PromptRequest;
import io.sluice.schemas.PromptResponse;
import io.sluice.schemas.ResponseStatus;
import io.sluice.schemas.TokenUsage;
import io.sluice.record.RecordMappers;
import io.sluice.topics.SluiceTopics;
import java.time.Duration;
import java.time.Instant;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
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
                                Properties properties, AtomicLong callsDone) {
        StreamsBuilder builder = new StreamsBuilder();
        builder.stream(topics.requests().name(), topics.requests().consumed("blocking-requests-source"))
                .processValues(RecordMappers.<String, PromptRequest, PromptResponse>mapValues(record -> {
                    long started = System.nanoTime();
                    // the stream thread waits here for the whole provider call
                    ProviderReply reply = provider.complete(record.value(), model, CallTimeouts.of(timeout, null))
                            .join();
                    callsDone.incrementAndGet();
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

    /**
     * Starts the application and returns once every stream thread has tasks, so that no thread sits out the
     * measurement for want of a rebalance (a thread inside a blocking call cannot take part in one for many seconds).
     */
    static void startAndAwaitAssignment(KafkaStreams streams, int threads) throws InterruptedException {
        streams.start();
        long until = System.currentTimeMillis() + Duration.ofMinutes(2).toMillis();
        while (System.currentTimeMillis() < until && !(streams.state() == KafkaStreams.State.RUNNING
                && streams.metadataForLocalThreads().size() == threads
                && streams.metadataForLocalThreads().stream().allMatch(t -> !t.activeTasks().isEmpty()))) {
            Thread.sleep(50);
        }
    }

    /**
     * Provider calls the processor finished per second over {@code window}, from the first one on; and how many
     * answers a read_committed reader saw meanwhile. Calls, not answers, are the rate: the blocking design commits
     * after a whole poll's batch of calls, so its answers become visible in bursts seconds apart, and a count of
     * them over a window depends on where the bursts fall.
     */
    static ObjectNode measure(KafkaStreams streams, AtomicLong callsDone, KafkaConsumer<String, byte[]> responses,
                              Duration window) {
        long giveUpAt = System.currentTimeMillis() + Duration.ofMinutes(2).toMillis();
        while (callsDone.get() == 0 && System.currentTimeMillis() < giveUpAt) {
            responses.poll(Duration.ofMillis(20));
        }
        long first = System.nanoTime();
        long atFirst = callsDone.get();
        int answers = 0;
        while (System.nanoTime() - first < window.toNanos()) {
            answers += responses.poll(Duration.ofMillis(100)).count();
        }
        double seconds = (System.nanoTime() - first) / 1e9;
        long calls = callsDone.get() - atFirst;
        streams.close(Duration.ofSeconds(30));
        ObjectNode out = new ObjectMapper().createObjectNode();
        out.put("calls", calls);
        out.put("seconds", Math.round(seconds * 100) / 100.0);
        out.put("requestsPerSec", Math.round(100.0 * calls / seconds) / 100.0);
        out.put("answersSeenInWindow", answers);
        return out;
    }
}
