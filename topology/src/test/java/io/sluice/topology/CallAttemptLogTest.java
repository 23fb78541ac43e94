package io.sluice.topology;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.sluice.call.CallTelemetry;
import io.sluice.config.SluiceConfigDef;
import io.sluice.provider.ProviderException;
import io.sluice.schemas.ChatMessage;
import io.sluice.schemas.PromptRequest;
import io.sluice.schemas.PromptResponse;
import io.sluice.testkit.PromptRequests;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

/** The call stage's one log line per provider call attempt: its fields, and what it never carries. */
class CallAttemptLogTest {
    private static final String PROMPT = "What is in grandmother's secret lemon cake recipe?";
    private static final String KEY = "sk-proj-Zq8vLm3nRt5wXy7aBc9dEf1gHi2jKl4m";

    @RegisterExtension
    final TopologyFixtures topologies = new TopologyFixtures();
    private final Logger logger = (Logger) LoggerFactory.getLogger(CallTelemetry.ATTEMPTS_LOGGER);
    private final ListAppender<ILoggingEvent> lines = new ListAppender<>();

    @BeforeEach
    void capture() {
        lines.start();
        logger.addAppender(lines);
    }

    @AfterEach
    void release() {
        logger.detachAppender(lines);
    }

    @Test
    @DisplayName("logs each attempt with its request, target, outcome, latency, tokens and cost, never the prompt or a key")
    void oneLinePerAttempt() {
        // Given a primary that refuses with an error text quoting the key, and a fallback that answers
        TopologyFixture fixture = topologies.start(
                Map.of(SluiceConfigDef.ROUTES, "default=openai:gpt-4o>anthropic:claude-sonnet-4-5"));
        fixture.openai.thenFail(new ProviderException("openai", 401, "unauthorized", false, null,
                "Incorrect API key provided: " + KEY + "; ask ops@example.com"));
        fixture.anthropic.thenAnswer(ScriptedProvider.reply("claude-sonnet-4-5", 900, 120));
        PromptRequest request = PromptRequests.valid("acme", "alice", TopologyFixture.START)
                .setMessages(List.of(new ChatMessage("user", PROMPT))).build();

        // When the request is answered
        fixture.send(request);
        PromptResponse response = fixture.responses.readValue();

        // Then there is one line per attempt, with the attempt's fields
        assertThat(lines.list).hasSize(2);
        Map<String, Object> failed = fields(lines.list.get(0));
        assertThat(failed).containsEntry("requestId", request.getRequestId()).containsEntry("tenant", "acme")
                .containsEntry("route", "default").containsEntry("provider", "openai")
                .containsEntry("model", "gpt-4o").containsEntry("attempt", 1)
                .containsEntry("outcome", "unauthorized").containsEntry("httpStatus", 401)
                .containsEntry("retryable", false).containsKey("latencyMs");
        assertThat((String) failed.get("error")).contains("Incorrect API key provided")
                .doesNotContain(KEY).doesNotContain("ops@example.com");
        Map<String, Object> answered = fields(lines.list.get(1));
        assertThat(answered).containsEntry("provider", "anthropic").containsEntry("model", "claude-sonnet-4-5")
                .containsEntry("attempt", 2).containsEntry("outcome", "ok")
                .containsEntry("inputTokens", 900L).containsEntry("outputTokens", 120L)
                .containsEntry("costMicros", response.getCostMicros())
                .containsEntry("latencyMs", response.getProviderLatencyMs());
        assertThat(lines.list).allSatisfy(line -> assertThat(line.getLevel().toString()).isEqualTo("INFO"));

        // And neither the lines nor their JSON carry the prompt, the answer or the key
        JsonEncoder json = new JsonEncoder();
        json.setContext(logger.getLoggerContext());
        json.start();
        for (ILoggingEvent line : lines.list) {
            String encoded = new String(json.encode(line), StandardCharsets.UTF_8);
            assertThat(encoded).contains("\"kvpList\"").contains(request.getRequestId())
                    .doesNotContain(PROMPT).doesNotContain("grandmother").doesNotContain(response.getContent())
                    .doesNotContain(KEY);
        }
    }

    private static Map<String, Object> fields(ILoggingEvent line) {
        Map<String, Object> fields = new LinkedHashMap<>();
        line.getKeyValuePairs().forEach(pair -> fields.put(pair.key, pair.value));
        return fields;
    }
}
