package io.sluice.provider;

import io.sluice.config.SluiceConfig;
import io.sluice.config.SluiceConfigDef;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * The configured providers by name. One JDK HttpClient is shared by all of them, so connections are pooled per
 * host across every stream task.
 */
public final class ProviderClients {
    private final Map<String, ProviderClient> byName;

    public ProviderClients(Map<String, ProviderClient> byName) {
        this.byName = Map.copyOf(byName);
    }

    /**
     * Builds the providers from configuration. {@code fallbackBaseUrl} (the simulator) serves any provider that has
     * no base URL configured; a provider with a base URL but no key is called without credentials (local servers).
     */
    public static ProviderClients from(SluiceConfig config, String fallbackBaseUrl) {
        HttpClient http = HttpClient.newBuilder()
                .connectTimeout(Duration.ofSeconds(10))
                .build();
        String openAiBase = baseUrl(config, SluiceConfigDef.OPENAI_BASE_URL, SluiceConfigDef.OPENAI_API_KEY,
                "https://api.openai.com/v1", fallbackBaseUrl, "/v1");
        String anthropicBase = baseUrl(config, SluiceConfigDef.ANTHROPIC_BASE_URL, SluiceConfigDef.ANTHROPIC_API_KEY,
                "https://api.anthropic.com", fallbackBaseUrl, "");
        return new ProviderClients(Map.of(
                "openai", new OpenAiChatClient(openAiBase, config.secret(SluiceConfigDef.OPENAI_API_KEY), http),
                "anthropic", new AnthropicMessagesClient(anthropicBase,
                        config.secret(SluiceConfigDef.ANTHROPIC_API_KEY), http)));
    }

    /** True when some provider has neither a base URL nor a key, so only the simulator can answer for it. */
    public static boolean needsSimulator(SluiceConfig config) {
        return (config.string(SluiceConfigDef.OPENAI_BASE_URL).isBlank()
                        && config.secret(SluiceConfigDef.OPENAI_API_KEY) == null)
                || (config.string(SluiceConfigDef.ANTHROPIC_BASE_URL).isBlank()
                        && config.secret(SluiceConfigDef.ANTHROPIC_API_KEY) == null);
    }

    private static String baseUrl(SluiceConfig config, String key, String apiKeyKey, String official,
                                  String fallback, String suffix) {
        String configured = config.string(key);
        if (!configured.isBlank()) {
            return configured;
        }
        if (config.secret(apiKeyKey) != null) {
            return official;
        }
        if (fallback == null) {
            throw new org.apache.kafka.common.config.ConfigException(key, "",
                    "no base URL configured and no simulator running");
        }
        return OpenAiChatClient.stripSlash(fallback) + suffix;
    }

    public Optional<ProviderClient> get(String name) {
        return Optional.ofNullable(byName.get(name));
    }
}
