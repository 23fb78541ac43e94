package io.sluice.provider;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.schemas.ChatMessage;
import io.sluice.schemas.GenerationParams;
import io.sluice.schemas.PromptRequest;
import java.net.URI;
import java.util.Map;

/**
 * OpenAI Chat Completions ({@code POST {base}/chat/completions}); also Azure OpenAI, vLLM, Ollama, Groq and other
 * OpenAI-compatible servers by base URL.
 */
final class OpenAiChatClient extends JsonHttpProvider {
    private final String apiKey;

    /**
     * @param baseUrl for example {@code https://api.openai.com/v1}
     * @param cleartextHttp2 h2c with prior knowledge for an {@code http://} base URL (HTTPS negotiates by ALPN)
     */
    public OpenAiChatClient(String baseUrl, String apiKey, ProviderHttp http, boolean cleartextHttp2) {
        super("openai", http.endpoint(URI.create(stripSlash(baseUrl) + "/chat/completions"), cleartextHttp2,
                CONNECT_TIMEOUT));
        this.apiKey = apiKey;
    }

    @Override
    ObjectNode body(PromptRequest request, String model) {
        ObjectNode body = JSON.createObjectNode().put("model", model);
        ArrayNode messages = body.putArray("messages");
        for (ChatMessage m : request.getMessages()) {
            messages.addObject().put("role", m.getRole()).put("content", m.getContent());
        }
        GenerationParams p = request.getParams();
        if (p.getMaxTokens() != null) {
            body.put("max_tokens", p.getMaxTokens());
        }
        if (p.getTemperature() != null) {
            body.put("temperature", p.getTemperature());
        }
        if (p.getTopP() != null) {
            body.put("top_p", p.getTopP());
        }
        if (!p.getStop().isEmpty()) {
            ArrayNode stop = body.putArray("stop");
            p.getStop().forEach(stop::add);
        }
        return body;
    }

    @Override
    void authenticate(Map<String, String> headers) {
        if (apiKey != null) {
            headers.put("Authorization", "Bearer " + apiKey);
        }
    }

    @Override
    ProviderReply reply(JsonNode answer) {
        JsonNode choice = answer.path("choices").path(0);
        JsonNode usage = answer.path("usage");
        if (!usage.isObject()) {
            throw new IllegalArgumentException("missing usage");
        }
        return new ProviderReply(
                requireText(answer.get("model"), "model"),
                requireText(choice.path("message").get("content"), "choices[0].message.content"),
                choice.path("finish_reason").asText(null),
                usage.path("prompt_tokens").asLong(),
                usage.path("completion_tokens").asLong(),
                usage.path("prompt_tokens_details").path("cached_tokens").asLong(0),
                usage.path("completion_tokens_details").path("reasoning_tokens").asLong(0));
    }

    static String stripSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }
}
