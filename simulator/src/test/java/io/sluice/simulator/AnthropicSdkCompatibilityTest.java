package io.sluice.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.anthropic.client.AnthropicClient;
import com.anthropic.errors.BadRequestException;
import com.anthropic.errors.InternalServerException;
import com.anthropic.errors.OverloadedException;
import com.anthropic.errors.RateLimitException;
import com.anthropic.errors.UnauthorizedException;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.StopReason;
import com.anthropic.models.messages.Usage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The official Anthropic Java SDK, with strict response validation, talks to the simulator as to Anthropic. */
class AnthropicSdkCompatibilityTest {
    private static final SimulatorSettings FAST = SimulatorSettings.defaults().withLatency(Latency.fixed(5));
    @RegisterExtension
    static final SimulatorExtension sim = new SimulatorExtension(FAST);
    // The extension builds the client once for the class and closes it before the simulator.
    private final AnthropicClient client = sim.anthropicClient();

    private static MessageCreateParams.Builder hello(long maxTokens) {
        // System 16 characters (4 tokens) + user 36 characters (9 tokens) = 13 prompt tokens.
        return MessageCreateParams.builder().model("claude-sonnet-4-5").maxTokens(maxTokens)
                .system("Be brief, please")
                .addUserMessage("Please greet the simulator politely.");
    }

    @Test
    void messageIsReadWithTextAndUsage() {
        // Given a simulator reporting roughly half the prompt as read from the cache
        sim.settings(FAST.withOutputTokens(24).withCachedFraction(0.5));

        // When the SDK creates a message
        Message message = client.messages().create(hello(1024).build());

        // Then text, stop reason and usage come through the SDK's own model classes
        assertThat(message.content()).hasSize(1);
        assertThat(message.content().get(0).text().orElseThrow().text())
                .startsWith("Simulated answer from claude-sonnet-4-5 to a 13-token prompt.");
        assertThat(message.stopReason()).contains(StopReason.END_TURN);
        assertThat(message.id()).startsWith("msg_");
        Usage usage = message.usage();
        assertThat(usage.outputTokens()).isEqualTo(24);
        assertThat(usage.cacheReadInputTokens()).contains(6L);
        assertThat(usage.inputTokens()).isEqualTo(7);
        assertThat(usage.cacheCreationInputTokens()).contains(0L);
    }

    @Test
    void maxTokensCapsTheAnswerWithStopReasonMaxTokens() {
        // Given the default 32-token answers
        // When the caller allows only 3 tokens
        Message message = client.messages().create(hello(3).build());

        // Then the answer is cut short and says so
        assertThat(message.stopReason()).contains(StopReason.MAX_TOKENS);
        assertThat(message.usage().outputTokens()).isEqualTo(3);
    }

    @Test
    void configuredOverloadSurfacesAsOverloadedExceptionWithStatus529() {
        // Given every call meets an overloaded provider
        sim.settings(FAST.withErrors(ErrorRates.none().withOverloaded529(1)));

        // When the SDK calls
        InternalServerException e = catchThrowableOfType(InternalServerException.class,
                () -> client.messages().create(hello(100).build()));

        // Then the SDK raises its overloaded type (a server error) with Anthropic's 529
        assertThat(e).isInstanceOf(OverloadedException.class);
        assertThat(e.statusCode()).isEqualTo(529);
        assertThat(e.apiMessage()).contains("Overloaded");
    }

    @Test
    void configuredRateLimitSurfacesAsRateLimitException() {
        // Given every call is rate limited with a 3 second retry-after
        sim.settings(FAST.withErrors(ErrorRates.none().withRateLimited429(1)).withRetryAfterSeconds(3));

        // When the SDK calls
        RateLimitException e = catchThrowableOfType(RateLimitException.class,
                () -> client.messages().create(hello(100).build()));

        // Then it is a 429 with the retry-after header and a request id, as Anthropic sends them
        assertThat(e.statusCode()).isEqualTo(429);
        assertThat(e.headers().values("retry-after")).containsExactly("3");
        assertThat(e.requestId()).hasValueSatisfying(id -> assertThat(id).startsWith("req_"));
    }

    @Test
    void wrongApiKeySurfacesAsUnauthorizedException() {
        // Given a simulator that requires a key other than the SDK's "test"
        sim.settings(FAST.withApiKey("sk-ant-the-right-one"));

        // When the SDK calls
        UnauthorizedException e = catchThrowableOfType(UnauthorizedException.class,
                () -> client.messages().create(hello(100).build()));

        // Then it is a 401
        assertThat(e.statusCode()).isEqualTo(401);
    }

    @Test
    void injectedBadRequestSurfacesAsBadRequestException() {
        // Given every call is refused as invalid
        sim.settings(FAST.withErrors(ErrorRates.none().withBadRequest400(1)));

        // When the SDK calls
        BadRequestException e = catchThrowableOfType(BadRequestException.class,
                () -> client.messages().create(hello(100).build()));

        // Then it is a 400
        assertThat(e.statusCode()).isEqualTo(400);
    }
}
