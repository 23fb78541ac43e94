package io.sluice.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Plain JDK HTTP calls, to check the wire format byte for byte without an SDK smoothing it over. */
final class RawHttp {
    static final ObjectMapper MAPPER = new ObjectMapper();
    static final HttpClient CLIENT = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    private RawHttp() {
    }

    static String chatBody(String model, String prompt) {
        return "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"" + prompt + "\"}]}";
    }

    static String messagesBody(String model, String prompt, int maxTokens) {
        return "{\"model\":\"" + model + "\",\"max_tokens\":" + maxTokens
                + ",\"messages\":[{\"role\":\"user\",\"content\":\"" + prompt + "\"}]}";
    }

    static HttpRequest.Builder openAiRequest(ProviderSimulator sim, String body) {
        return HttpRequest.newBuilder(URI.create(sim.openAiBaseUrl() + "/chat/completions"))
                .timeout(Duration.ofSeconds(10))
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
    }

    static HttpRequest.Builder anthropicRequest(ProviderSimulator sim, String body) {
        return HttpRequest.newBuilder(URI.create(sim.anthropicBaseUrl() + "/v1/messages"))
                .timeout(Duration.ofSeconds(10))
                .header("content-type", "application/json")
                .header("anthropic-version", "2023-06-01")
                .POST(HttpRequest.BodyPublishers.ofString(body));
    }

    static HttpResponse<String> openAi(ProviderSimulator sim, String body) {
        return send(openAiRequest(sim, body).build());
    }

    static HttpResponse<String> chat(ProviderSimulator sim) {
        return openAi(sim, chatBody("gpt-4o-mini", "Hello there"));
    }

    static HttpResponse<String> anthropic(ProviderSimulator sim, String body) {
        return send(anthropicRequest(sim, body).build());
    }

    static HttpResponse<String> get(ProviderSimulator sim, String path) {
        return send(HttpRequest.newBuilder(URI.create(sim.baseUrl() + path)).timeout(Duration.ofSeconds(10)).build());
    }

    static HttpResponse<String> post(ProviderSimulator sim, String path, String body) {
        return send(HttpRequest.newBuilder(URI.create(sim.baseUrl() + path))
                .timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build());
    }

    static HttpResponse<String> send(HttpRequest request) {
        try {
            return CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static JsonNode json(HttpResponse<String> response) {
        try {
            return MAPPER.readTree(response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
