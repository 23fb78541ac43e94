package io.sluice.provider;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.schemas.PromptRequest;
import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * A provider spoken to as JSON over HTTP through {@link ProviderHttp} (an event-loop client: connection reuse, HTTP/2
 * where the server speaks it). Sluice owns retries, so nothing here retries.
 */
abstract class JsonHttpProvider implements ProviderClient {
    static final ObjectMapper JSON = new ObjectMapper();
    static final Duration CONNECT_TIMEOUT = CallTimeouts.CONNECTION_WAIT;

    private final String name;
    private final ProviderHttp.Endpoint http;

    JsonHttpProvider(String name, ProviderHttp.Endpoint http) {
        this.name = name;
        this.http = http;
    }

    @Override
    public final String name() {
        return name;
    }

    /** The provider's request body for {@code request} on {@code model}. */
    abstract ObjectNode body(PromptRequest request, String model);

    /** Adds authentication and version headers to {@code headers}. */
    abstract void authenticate(Map<String, String> headers);

    /** Reads a 200 answer; throws on a body that lacks what a reply needs. */
    abstract ProviderReply reply(JsonNode answer);

    @Override
    public final CompletableFuture<ProviderReply> complete(PromptRequest request, String model, CallTimeouts timeouts) {
        try {
            Map<String, String> headers = new HashMap<>(4);
            headers.put("Content-Type", "application/json");
            authenticate(headers);
            byte[] body = JSON.writeValueAsBytes(body(request, model));
            return http.post(headers, body, timeouts)
                    .handle((response, failure) -> {
                        if (failure != null) {
                            throw new CompletionException(HttpErrors.fromThrowable(name, failure));
                        }
                        return read(response);
                    });
        } catch (IOException | RuntimeException e) {
            return CompletableFuture.failedFuture(HttpErrors.fromThrowable(name, e));
        }
    }

    private ProviderReply read(ProviderHttp.Answer response) {
        JsonNode answer;
        try {
            answer = JSON.readTree(response.body());
        } catch (IOException e) {
            answer = null;
        }
        if (response.status() != 200) {
            JsonNode error = answer == null ? JSON.createObjectNode() : answer.path("error");
            String code = error.hasNonNull("code") ? error.path("code").asText() : error.path("type").asText("");
            throw new CompletionException(HttpErrors.fromStatus(name, response.status(), response.header(), code,
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
