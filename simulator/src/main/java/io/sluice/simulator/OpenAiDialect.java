package io.sluice.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import java.util.HashMap;
import java.util.Map;

/** OpenAI Chat Completions: {@code POST /v1/chat/completions}, Bearer keys, OpenAI's error envelope. */
final class OpenAiDialect implements Dialect {
    static final String ENDPOINT = "openai.chat.completions";

    @Override
    public String endpoint() {
        return ENDPOINT;
    }

    @Override
    public String requestIdHeader() {
        return "x-request-id";
    }

    @Override
    public String newRequestId() {
        return Ids.hex("req_", 32);
    }

    @Override
    public ApiError authenticate(MultiMap headers, String requiredKey) {
        if (requiredKey == null) {
            return null;
        }
        String authorization = headers.get("authorization");
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return ApiError.unauthorized("You didn't provide an API key. You need to provide your API key in an "
                    + "Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).");
        }
        String key = authorization.substring(7).trim();
        return key.equals(requiredKey) ? null
                : ApiError.unauthorized("Incorrect API key provided: " + redact(key) + ".");
    }

    @Override
    public PromptRequest parse(MultiMap headers, Buffer body) {
        JsonNode root = RequestReader.object(body, "We could not parse the JSON body of your request. "
                + "The OpenAI API expects a JSON payload.");
        String model = RequestReader.requiredText(root, "model", "you must provide a model parameter");
        JsonNode messages = RequestReader.requiredArray(root, "messages",
                "Missing required parameter: 'messages'.");
        int promptTokens = 0;
        for (JsonNode message : messages) {
            if (!message.path("role").isTextual()) {
                throw RejectedRequest.invalid("Missing required parameter: 'messages[].role'.", "messages");
            }
            promptTokens += Tokens.ofContent(message.get("content"));
        }
        RequestReader.refuseStreaming(root);
        int maxTokens = RequestReader.optionalPositiveInt(root, "max_completion_tokens");
        if (maxTokens == 0) {
            maxTokens = RequestReader.optionalPositiveInt(root, "max_tokens");
        }
        RequestReader.optionalNumber(root, "temperature", 0, 2);
        RequestReader.optionalNumber(root, "top_p", 0, 1);
        RequestReader.optionalTextOrTextArray(root, "stop");
        return new PromptRequest(model, promptTokens, maxTokens);
    }

    @Override
    public Reply success(PromptRequest request, Completion completion, long processingMs) {
        ObjectNode body = Json.object()
                .put("id", Ids.base62("chatcmpl-", 29))
                .put("object", "chat.completion")
                .put("created", System.currentTimeMillis() / 1000)
                .put("model", request.model());
        ObjectNode choice = body.putArray("choices").addObject().put("index", 0);
        choice.putObject("message").put("role", "assistant").put("content", completion.text()).putNull("refusal");
        choice.putNull("logprobs").put("finish_reason", completion.truncated() ? "length" : "stop");
        ObjectNode usage = body.putObject("usage")
                .put("prompt_tokens", completion.promptTokens())
                .put("completion_tokens", completion.completionTokens())
                .put("total_tokens", completion.promptTokens() + completion.completionTokens());
        usage.putObject("prompt_tokens_details").put("cached_tokens", completion.cachedTokens()).put("audio_tokens", 0);
        usage.putObject("completion_tokens_details")
                .put("reasoning_tokens", completion.reasoningTokens())
                .put("audio_tokens", 0)
                .put("accepted_prediction_tokens", 0)
                .put("rejected_prediction_tokens", 0);
        body.put("system_fingerprint", "fp_sluice_sim").put("service_tier", "default");
        return new Reply(200, Map.of("openai-processing-ms", String.valueOf(processingMs)), Json.buffer(body));
    }

    @Override
    public Reply error(ApiError error) {
        Kind kind = switch (error.outcome()) {
            case BAD_REQUEST -> new Kind(400, "invalid_request_error", "invalid_value", "The request was invalid.");
            case UNAUTHORIZED -> new Kind(401, "invalid_request_error", "invalid_api_key",
                    "Incorrect API key provided.");
            case RATE_LIMITED -> new Kind(429, "requests", "rate_limit_exceeded",
                    "Rate limit reached for requests. Please try again later.");
            case QUOTA_EXCEEDED -> new Kind(429, "insufficient_quota", "insufficient_quota",
                    "You exceeded your current quota, please check your plan and billing details.");
            case UNAVAILABLE -> new Kind(503, "service_unavailable", "service_unavailable",
                    "The server is overloaded or not ready yet.");
            // OpenAI has no 529: its overload answer is a 503 with this text.
            case OVERLOADED -> new Kind(503, "server_error", "overloaded",
                    "The engine is currently overloaded, please try again later.");
            default -> new Kind(500, "server_error", "server_error",
                    "The server had an error while processing your request. Sorry about that!");
        };
        Map<String, String> headers = new HashMap<>();
        if (error.retryAfterMs() > 0) {
            headers.put("retry-after", String.valueOf(Math.max(1, (error.retryAfterMs() + 999) / 1000)));
            headers.put("retry-after-ms", String.valueOf(error.retryAfterMs()));
        }
        ObjectNode body = Json.object();
        body.putObject("error")
                .put("message", error.message() != null ? error.message() : kind.message())
                .put("type", kind.type())
                .put("param", error.param())
                .put("code", kind.code());
        return new Reply(kind.status(), headers, Json.buffer(body));
    }

    private record Kind(int status, String type, String code, String message) {
    }

    /** Shows only the key's ends, as OpenAI does, so error bodies never carry a whole secret. */
    private static String redact(String key) {
        return key.length() <= 6 ? "*".repeat(key.length())
                : key.substring(0, 3) + "****" + key.substring(key.length() - 2);
    }
}
