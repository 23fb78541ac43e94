package io.sluice.simulator;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One simulator for a whole test class, registered as
 * {@code @RegisterExtension static final SimulatorExtension sim = new SimulatorExtension(settings);}. Starting a
 * server per test would cost more than most tests, so instead every test begins from the class's base settings and
 * zeroed stats, whatever the test before it changed.
 */
final class SimulatorExtension implements BeforeAllCallback, BeforeEachCallback, AfterAllCallback {
    private final SimulatorSettings base;
    private ProviderSimulator simulator;
    private OpenAIClient openAiClient;
    private AnthropicClient anthropicClient;

    SimulatorExtension(SimulatorSettings base) {
        this.base = base;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        simulator = ProviderSimulator.start(base, 0);
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        simulator.settings(base);
        simulator.resetStats();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        // Clients first, so none is left holding connections to a server that is gone.
        if (openAiClient != null) {
            openAiClient.close();
        }
        if (anthropicClient != null) {
            anthropicClient.close();
        }
        simulator.close();
    }

    ProviderSimulator get() {
        return simulator;
    }

    SimulatorSettings settings() {
        return simulator.settings();
    }

    void settings(SimulatorSettings settings) {
        simulator.settings(settings);
    }

    SimulatorStats stats() {
        return simulator.stats();
    }

    /**
     * The official OpenAI SDK pointed at this simulator, built on first use and closed with it. Retries are off so
     * an injected error reaches the test as the SDK's exception, and strict validation fails on any field the SDK's
     * model would not accept from OpenAI.
     */
    OpenAIClient openAiClient() {
        if (openAiClient == null) {
            openAiClient = OpenAIOkHttpClient.builder().baseUrl(simulator.openAiBaseUrl())
                    .apiKey("test").maxRetries(0).responseValidation(true).build();
        }
        return openAiClient;
    }

    /** The official Anthropic SDK, set up as {@link #openAiClient()} is and for the same reasons. */
    AnthropicClient anthropicClient() {
        if (anthropicClient == null) {
            anthropicClient = AnthropicOkHttpClient.builder().baseUrl(simulator.anthropicBaseUrl())
                    .apiKey("test").maxRetries(0).responseValidation(true).build();
        }
        return anthropicClient;
    }
}
