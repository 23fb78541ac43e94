package io.sluice.provider;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.schemas.PromptRequest;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * A provider spoken to as JSON over HTTP with the JDK's asynchronous client (connection reuse, HTTP/2 over TLS).
 * Sluice owns retries, so nothing here retries.
 */
abstract class JsonHttpProvider implements ProviderClient {
    static final ObjectMapper JSON = new ObjectMapper();

    private final String name;
    private final URI endpoint;
    private final HttpClient http;

    JsonHttpProvider(String name, URI endpoint, HttpClient http) {
        this.name = name;
        this.endpoint = endpoint;
        this.http = http;
    }

    @Override
    public final String name() {
        return name;
    }

    /** The provider's request body for {@code request} on {@code model}. */
    abstract ObjectNode body(PromptRequest request, String model);

    /** Authentication and version headers. */
    abstract HttpRequest.Builder authenticate(HttpRequest.Builder builder);

    /** Reads a 200 answer; throws on a body that lacks what a reply needs. */
    abstract ProviderReply reply(JsonNode answer);

    @Override
    public final CompletableFuture<ProviderReply> complete(PromptRequest request, String model, Duration timeout) {
        HttpRequest httpRequest = authenticate(HttpRequest.newBuilder(endpoint))
                .timeout(timeout)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body(request, model).toString()))
                .build();
        try {
            return http.sendAsync(httpRequest, HttpResponse.BodyHandlers.ofString())
                    .handle((response, failure) -> {
                        if (failure != null) {
                            throw new CompletionException(HttpErrors.fromThrowable(name, failure));
                        }
                        return read(response);
                    });
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(HttpErrors.fromThrowable(name, e));
        }
    }

    private ProviderReply read(HttpResponse<String> response) {
        JsonNode answer;
        try {
            answer = JSON.readTree(response.body());
        } catch (IOException e) {
            answer = null;
        }
        if (response.statusCode() != 200) {
            JsonNode error = answer == null ? JSON.createObjectNode() : answer.path("error");
            String code = error.hasNonNull("code") ? error.path("code").asText() : error.path("type").asText("");
            throw new CompletionException(HttpErrors.fromStatus(name, response.statusCode(), response.headers(), code,
                    error.path("message").asText("no error message")));
        }
        try {
            if (answer == null) {
                throw new IllegalArgumentException("body is not JSON");
            }
            return reply(answer);
        } catch (RuntimeException e) {
            // A truncated or malformed 200 is a transient fault of the provider's edge, worth another try.
            throw new CompletionException(new ProviderException(name, 200, "malformed_response", true, null,
                    "unreadable answer: " + e.getMessage()));
        }
    }

    static String requireText(JsonNode node, String what) {
        if (node == null || !node.isTextual()) {
            throw new IllegalArgumentException("missing " + what);
        }
        return node.asText();
    }
}
