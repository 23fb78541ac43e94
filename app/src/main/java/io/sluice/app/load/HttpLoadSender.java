package io.sluice.app.load;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.schemas.ChatMessage;
import io.sluice.schemas.PromptRequest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * The load tool's requests through the HTTP front door ({@code --via http}): each as an OpenAI chat-completions call
 * with its request id as the {@code Idempotency-Key} and its tenant in {@code Sluice-Tenant} (so the key, if any, is an
 * operator's), timed from send to HTTP answer. A call the front door answered without queueing (no
 * {@code X-Request-Id}: refused at the door) never gets an outcome and is reported like a send the broker refused.
 */
final class HttpLoadSender implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();
    private final URI endpoint;
    private final String apiKey;
    private final Histogram latencyMs = new ConcurrentHistogram(3_600_000L, 3);
    private final Map<Integer, Long> statuses = new ConcurrentHashMap<>();

    HttpLoadSender(String baseUrl, String apiKey) {
        this.endpoint = URI.create(baseUrl.replaceAll("/+$", "") + "/v1/chat/completions");
        this.apiKey = apiKey;
    }

    /** Sends {@code request}; {@code notQueued} hears of a call that never reached the requests topic, and why. */
    void send(PromptRequest request, BiConsumer<String, String> notQueued) {
        ObjectNode body = JSON.createObjectNode().put("model", request.getRoute()).put("user", request.getUserId());
        var messages = body.putArray("messages");
        for (ChatMessage message : request.getMessages()) {
            messages.addObject().put("role", message.getRole()).put("content", message.getContent());
        }
        if (request.getParams().getMaxTokens() != null) {
            body.put("max_tokens", request.getParams().getMaxTokens());
        }
        HttpRequest.Builder call = HttpRequest.newBuilder(endpoint).timeout(Duration.ofMinutes(5))
                .header("Content-Type", "application/json").header("Idempotency-Key", request.getRequestId())
                .header("Sluice-Tenant", request.getTenantId())
                .POST(HttpRequest.BodyPublishers.ofString(body.toString()));
        if (apiKey != null) {
            call.header("Authorization", "Bearer " + apiKey);
        }
        long start = System.nanoTime();
        client.sendAsync(call.build(), HttpResponse.BodyHandlers.ofString()).whenComplete((response, error) -> {
            if (error != null) {
                notQueued.accept(request.getRequestId(), "HTTP call failed: " + error);
                return;
            }
            latencyMs.recordValue(Math.min((System.nanoTime() - start) / 1_000_000, latencyMs.getHighestTrackableValue()));
            statuses.merge(response.statusCode(), 1L, Long::sum);
            if (response.headers().firstValue("X-Request-Id").isEmpty()) {
                notQueued.accept(request.getRequestId(), "HTTP " + response.statusCode() + ": " + response.body());
            }
        });
    }

    /** HTTP answers by status. */
    Map<Integer, Long> statuses() {
        return new TreeMap<>(statuses);
    }

    /** Time from sending each call to its HTTP answer, in milliseconds. */
    Histogram latencyMs() {
        return latencyMs;
    }

    @Override
    public void close() {
        client.close();
    }
}
