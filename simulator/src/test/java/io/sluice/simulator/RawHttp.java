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
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

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
        return postTo(sim.openAiBaseUrl() + "/chat/completions", body).header("content-type", "application/json");
    }

    static HttpRequest.Builder anthropicRequest(ProviderSimulator sim, String body) {
        return postTo(sim.anthropicBaseUrl() + "/v1/messages", body)
                .header("content-type", "application/json")
                .header("anthropic-version", "2023-06-01");
    }

    /** A POST to any path, with none of the headers a provider client would add. */
    static HttpRequest.Builder postRequest(ProviderSimulator sim, String path, String body) {
        return postTo(sim.baseUrl() + path, body);
    }

    static HttpResponse<String> openAi(ProviderSimulator sim, String body) {
        return send(openAiRequest(sim, body).build());
    }

    /** A chat completion call carrying {@code apiKey} where OpenAI clients put it: a bearer token. */
    static HttpResponse<String> openAi(ProviderSimulator sim, String body, String apiKey) {
        return send(openAiRequest(sim, body).header("authorization", "Bearer " + apiKey).build());
    }

    static HttpResponse<String> chat(ProviderSimulator sim) {
        return openAi(sim, chatBody("gpt-4o-mini", "Hello there"));
    }

    static HttpResponse<String> anthropic(ProviderSimulator sim, String body) {
        return send(anthropicRequest(sim, body).build());
    }

    /** A messages call carrying {@code apiKey} where Anthropic clients put it: the x-api-key header. */
    static HttpResponse<String> anthropic(ProviderSimulator sim, String body, String apiKey) {
        return send(anthropicRequest(sim, body).header("x-api-key", apiKey).build());
    }

    static HttpResponse<String> get(ProviderSimulator sim, String path) {
        return send(HttpRequest.newBuilder(URI.create(sim.baseUrl() + path)).timeout(TIMEOUT).build());
    }

    static HttpResponse<String> post(ProviderSimulator sim, String path, String body) {
        return send(postRequest(sim, path, body).build());
    }

    private static HttpRequest.Builder postTo(String url, String body) {
        return HttpRequest.newBuilder(URI.create(url)).timeout(TIMEOUT).POST(HttpRequest.BodyPublishers.ofString(body));
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
