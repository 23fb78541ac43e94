package io.sluice.provider;

import io.sluice.config.SluiceConfig;
import io.sluice.config.SluiceConfigDef;
import java.util.Map;
import java.util.Optional;

/**
 * The configured providers by name. One {@link ProviderHttp} (two event-loop threads) serves all of them, each provider
 * with its own connection pool shared by every stream task. Closing this closes the transport.
 */
public final class ProviderClients implements AutoCloseable {
    private final Map<String, ProviderClient> byName;
    private final ProviderHttp http;

    public ProviderClients(Map<String, ProviderClient> byName) {
        this(byName, null);
    }

    private ProviderClients(Map<String, ProviderClient> byName, ProviderHttp http) {
        this.byName = Map.copyOf(byName);
        this.http = http;
    }

    /**
     * Builds the providers from configuration. {@code fallbackBaseUrl} (the simulator) serves any provider that has
     * no base URL configured; a provider with a base URL but no key is called without credentials (local servers).
     */
    public static ProviderClients from(SluiceConfig config, String fallbackBaseUrl) {
        String openAiBase = baseUrl(config, SluiceConfigDef.OPENAI_BASE_URL, SluiceConfigDef.OPENAI_API_KEY,
                "https://api.openai.com/v1", fallbackBaseUrl, "/v1");
        String anthropicBase = baseUrl(config, SluiceConfigDef.ANTHROPIC_BASE_URL, SluiceConfigDef.ANTHROPIC_API_KEY,
                "https://api.anthropic.com", fallbackBaseUrl, "");
        boolean h2c = config.bool(SluiceConfigDef.PROVIDERS_CLEARTEXT_HTTP2);
        ProviderHttp http = new ProviderHttp(config.integer(SluiceConfigDef.CALL_MAX_RESPONSE_BYTES));
        try {
            // the simulator speaks h2c, so a provider it stands in for always uses it
            return new ProviderClients(Map.of(
                    "openai", new OpenAiChatClient(openAiBase, config.secret(SluiceConfigDef.OPENAI_API_KEY), http,
                            h2c || fromSimulator(config, SluiceConfigDef.OPENAI_BASE_URL,
                                    SluiceConfigDef.OPENAI_API_KEY)),
                    "anthropic", new AnthropicMessagesClient(anthropicBase,
                            config.secret(SluiceConfigDef.ANTHROPIC_API_KEY), http,
                            h2c || fromSimulator(config, SluiceConfigDef.ANTHROPIC_BASE_URL,
                                    SluiceConfigDef.ANTHROPIC_API_KEY))), http);
        } catch (RuntimeException e) {
            http.close();
            throw e;
        }
    }

    private static boolean fromSimulator(SluiceConfig config, String baseUrlKey, String apiKeyKey) {
        return config.string(baseUrlKey).isBlank() && config.secret(apiKeyKey) == null;
    }

    @Override
    public void close() {
        if (http != null) {
            http.close();
        }
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
