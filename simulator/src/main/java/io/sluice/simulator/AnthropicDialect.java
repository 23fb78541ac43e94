package io.sluice.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import java.util.Map;

/** Anthropic Messages: {@code POST /v1/messages}, x-api-key and anthropic-version headers, Anthropic's errors. */
final class AnthropicDialect implements Dialect {
    static final String ENDPOINT = "anthropic.messages";

    @Override
    public String endpoint() {
        return ENDPOINT;
    }

    @Override
    public String requestIdHeader() {
        return "request-id";
    }

    @Override
    public String newRequestId() {
        return Ids.base62("req_", 24);
    }

    @Override
    public ApiError authenticate(MultiMap headers, String requiredKey) {
        if (requiredKey == null) {
            return null;
        }
        String key = headers.get("x-api-key");
        if (key == null || key.isBlank()) {
            return ApiError.unauthorized("x-api-key header is required");
        }
        return key.trim().equals(requiredKey) ? null : ApiError.unauthorized("invalid x-api-key");
    }

    @Override
    public PromptRequest parse(MultiMap headers, Buffer body) {
        if (headers.get("anthropic-version") == null) {
            throw RejectedRequest.invalid("anthropic-version: header is required", null);
        }
        JsonNode root = RequestReader.object(body, "There was an issue with your request body: invalid JSON");
        String model = RequestReader.requiredText(root, "model", "model: Field required");
        if (root.get("max_tokens") == null || root.get("max_tokens").isNull()) {
            throw RejectedRequest.invalid("max_tokens: Field required", "max_tokens");
        }
        int maxTokens = RequestReader.optionalPositiveInt(root, "max_tokens");
        JsonNode messages = RequestReader.requiredArray(root, "messages", "messages: Field required");
        int promptTokens = 0;
        for (int i = 0; i < messages.size(); i++) {
            String role = messages.get(i).path("role").asText("");
            if (!role.equals("user") && !role.equals("assistant")) {
                throw RejectedRequest.invalid("messages." + i + ".role: Input should be 'user' or 'assistant'",
                        "messages");
            }
            promptTokens += Tokens.ofContent(messages.get(i).get("content"));
        }
        JsonNode system = root.get("system");
        if (system != null && !system.isNull()) {
            if (!system.isTextual() && !system.isArray()) {
                throw RejectedRequest.invalid("system: Input should be a valid string or list of blocks", "system");
            }
            promptTokens += Tokens.ofContent(system);
        }
        RequestReader.refuseStreaming(root);
        RequestReader.optionalNumber(root, "temperature", 0, 1);
        RequestReader.optionalNumber(root, "top_p", 0, 1);
        RequestReader.optionalTextOrTextArray(root, "stop_sequences");
        return new PromptRequest(model, promptTokens, maxTokens);
    }

    @Override
    public Reply success(PromptRequest request, Completion completion, long processingMs) {
        ObjectNode body = Json.object()
                .put("id", Ids.base62("msg_", 24))
                .put("type", "message")
                .put("role", "assistant")
                .put("model", request.model());
        body.putArray("content").addObject().put("type", "text").put("text", completion.text());
        body.put("stop_reason", completion.truncated() ? "max_tokens" : "end_turn").putNull("stop_sequence");
        // Anthropic's input_tokens excludes cache reads: the three input figures add up to the prompt.
        body.putObject("usage")
                .put("input_tokens", completion.promptTokens() - completion.cachedTokens())
                .put("output_tokens", completion.completionTokens())
                .put("cache_creation_input_tokens", 0)
                .put("cache_read_input_tokens", completion.cachedTokens());
        return new Reply(200, Map.of(), Json.buffer(body));
    }

    @Override
    public Reply error(ApiError error) {
        Kind kind = switch (error.outcome()) {
            case BAD_REQUEST -> new Kind(400, "invalid_request_error", "The request was invalid.");
            case UNAUTHORIZED -> new Kind(401, "authentication_error", "invalid x-api-key");
            case RATE_LIMITED -> new Kind(429, "rate_limit_error",
                    "This request would exceed the rate limit for your organization. Please try again later.");
            // Anthropic answers exhausted credit with 402 billing_error, not with a 429.
            case QUOTA_EXCEEDED -> new Kind(402, "billing_error",
                    "Your credit balance is too low to access the Anthropic API.");
            case UNAVAILABLE -> new Kind(503, "api_error", "Service unavailable");
            case OVERLOADED -> new Kind(529, "overloaded_error", "Overloaded");
            default -> new Kind(500, "api_error", "Internal server error");
        };
        Map<String, String> headers = error.retryAfterMs() > 0
                ? Map.of("retry-after", String.valueOf(Math.max(1, (error.retryAfterMs() + 999) / 1000)))
                : Map.of();
        ObjectNode body = Json.object().put("type", "error");
        body.putObject("error")
                .put("type", kind.type())
                .put("message", error.message() != null ? error.message() : kind.message());
        return new Reply(kind.status(), headers, Json.buffer(body));
    }

    private record Kind(int status, String type, String message) {
    }
}
