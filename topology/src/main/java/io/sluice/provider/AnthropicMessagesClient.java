package io.sluice.provider;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.schemas.ChatMessage;
import io.sluice.schemas.GenerationParams;
import io.sluice.schemas.PromptRequest;
import java.net.URI;
import java.util.Map;

/** Anthropic Messages ({@code POST {base}/v1/messages}). System turns go to the top-level {@code system} field. */
final class AnthropicMessagesClient extends JsonHttpProvider {
    static final String API_VERSION = "2023-06-01";
    /** Anthropic requires max_tokens; this is used when the request leaves it to the provider. */
    static final int DEFAULT_MAX_TOKENS = 1024;

    private final String apiKey;

    /** @param baseUrl for example {@code https://api.anthropic.com} */
    public AnthropicMessagesClient(String baseUrl, String apiKey, ProviderHttp http, boolean cleartextHttp2) {
        super("anthropic", http.endpoint(URI.create(OpenAiChatClient.stripSlash(baseUrl) + "/v1/messages"),
                cleartextHttp2, CONNECT_TIMEOUT));
        this.apiKey = apiKey;
    }

    @Override
    ObjectNode body(PromptRequest request, String model) {
        GenerationParams p = request.getParams();
        ObjectNode body = JSON.createObjectNode().put("model", model)
                .put("max_tokens", p.getMaxTokens() == null ? DEFAULT_MAX_TOKENS : p.getMaxTokens());
        StringBuilder system = new StringBuilder();
        ArrayNode messages = body.putArray("messages");
        for (ChatMessage m : request.getMessages()) {
            if (m.getRole().equals("system")) {
                system.append(system.isEmpty() ? "" : "\n\n").append(m.getContent());
            } else {
                messages.addObject().put("role", m.getRole().equals("assistant") ? "assistant" : "user")
                        .put("content", m.getContent());
            }
        }
        if (!system.isEmpty()) {
            body.put("system", system.toString());
        }
        if (p.getTemperature() != null) {
            body.put("temperature", p.getTemperature());
        }
        if (p.getTopP() != null) {
            body.put("top_p", p.getTopP());
        }
        if (!p.getStop().isEmpty()) {
            ArrayNode stop = body.putArray("stop_sequences");
            p.getStop().forEach(stop::add);
        }
        return body;
    }

    @Override
    void authenticate(Map<String, String> headers) {
        headers.put("anthropic-version", API_VERSION);
        if (apiKey != null) {
            headers.put("x-api-key", apiKey);
        }
    }

    @Override
    ProviderReply reply(JsonNode answer) {
        StringBuilder text = new StringBuilder();
        for (JsonNode block : answer.path("content")) {
            if ("text".equals(block.path("type").asText())) {
                text.append(block.path("text").asText());
            }
        }
        JsonNode usage = answer.path("usage");
        if (!usage.isObject() || !answer.path("content").isArray()) {
            throw new IllegalArgumentException("missing content or usage");
        }
        long cacheRead = usage.path("cache_read_input_tokens").asLong(0);
        long cacheWrite = usage.path("cache_creation_input_tokens").asLong(0);
        // Anthropic reports input_tokens excluding cache reads and writes; Sluice's inputTokens includes them.
        return new ProviderReply(
                requireText(answer.get("model"), "model"),
                text.toString(),
                answer.path("stop_reason").asText(null),
                usage.path("input_tokens").asLong() + cacheRead + cacheWrite,
                usage.path("output_tokens").asLong(),
                cacheRead,
                0);
    }
}
