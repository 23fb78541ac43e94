package io.sluice.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.openai.client.OpenAIClient;
import com.openai.errors.BadRequestException;
import com.openai.errors.InternalServerException;
import com.openai.errors.RateLimitException;
import com.openai.errors.UnauthorizedException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.completions.CompletionUsage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The official OpenAI Java SDK, with strict response validation, talks to the simulator as to OpenAI. */
class OpenAiSdkCompatibilityTest {
    private static final SimulatorSettings FAST = SimulatorSettings.defaults().withLatency(Latency.fixed(5));
    @RegisterExtension
    static final SimulatorExtension sim = new SimulatorExtension(FAST);
    // The extension builds the client once for the class and closes it before the simulator.
    private final OpenAIClient client = sim.openAiClient();

    private static ChatCompletionCreateParams.Builder hello() {
        // 36 characters: 9 prompt tokens at four characters a token.
        return ChatCompletionCreateParams.builder().model("gpt-4o-mini")
                .addUserMessage("Please greet the simulator politely.");
    }

    @Test
    void chatCompletionIsReadWithContentAndUsageDetails() {
        // Given a simulator reporting half the prompt cached and a quarter of the output as reasoning
        sim.settings(FAST.withOutputTokens(40).withCachedFraction(0.5).withReasoningFraction(0.25));

        // When the SDK creates a chat completion
        ChatCompletion completion = client.chat().completions().create(hello().build());

        // Then content, finish reason and every usage figure come through the SDK's own model classes
        ChatCompletion.Choice choice = completion.choices().get(0);
        assertThat(choice.message().content()).hasValueSatisfying(text ->
                assertThat(text).startsWith("Simulated answer from gpt-4o-mini to a 9-token prompt."));
        assertThat(choice.finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.STOP);
        assertThat(completion.model()).isEqualTo("gpt-4o-mini");
        assertThat(completion.id()).startsWith("chatcmpl-");
        CompletionUsage usage = completion.usage().orElseThrow();
        assertThat(usage.promptTokens()).isEqualTo(9);
        assertThat(usage.completionTokens()).isEqualTo(40);
        assertThat(usage.totalTokens()).isEqualTo(49);
        assertThat(usage.promptTokensDetails().orElseThrow().cachedTokens()).contains(4L);
        assertThat(usage.completionTokensDetails().orElseThrow().reasoningTokens()).contains(10L);
    }

    @Test
    void maxCompletionTokensCapsTheAnswerWithFinishReasonLength() {
        // Given the default 32-token answers
        // When the caller allows only 5 tokens
        ChatCompletion completion = client.chat().completions().create(hello().maxCompletionTokens(5).build());

        // Then the answer is cut to 5 tokens and says so
        assertThat(completion.choices().get(0).finishReason())
                .isEqualTo(ChatCompletion.Choice.FinishReason.LENGTH);
        assertThat(completion.usage().orElseThrow().completionTokens()).isEqualTo(5);
        assertThat(completion.choices().get(0).message().content().orElseThrow()).hasSizeLessThanOrEqualTo(20);
    }

    @Test
    void configuredRateLimitSurfacesAsRateLimitExceptionWithRetryAfter() {
        // Given every call is rate limited with a 7 second retry-after
        sim.settings(FAST.withErrors(ErrorRates.none().withRateLimited429(1)).withRetryAfterSeconds(7));

        // When the SDK calls
        RateLimitException e = catchThrowableOfType(RateLimitException.class,
                () -> client.chat().completions().create(hello().build()));

        // Then the SDK's rate-limit type carries the status, the error code and the retry-after headers
        assertThat(e.statusCode()).isEqualTo(429);
        assertThat(e.code()).contains("rate_limit_exceeded");
        assertThat(e.headers().values("retry-after")).containsExactly("7");
        assertThat(e.headers().values("retry-after-ms")).containsExactly("7000");
    }

    @Test
    void exhaustedQuotaSurfacesAsRateLimitExceptionOfTypeInsufficientQuota() {
        // Given every call finds the quota exhausted
        sim.settings(FAST.withErrors(ErrorRates.none().withQuota429(1)));

        // When the SDK calls
        RateLimitException e = catchThrowableOfType(RateLimitException.class,
                () -> client.chat().completions().create(hello().build()));

        // Then it is a 429 a client can tell from a rate limit: no retry-after, type insufficient_quota
        assertThat(e.type()).contains("insufficient_quota");
        assertThat(e.headers().values("retry-after")).isEmpty();
    }

    @Test
    void wrongApiKeySurfacesAsUnauthorizedException() {
        // Given a simulator that requires a key other than the SDK's "test"
        sim.settings(FAST.withApiKey("sk-the-right-one"));

        // When the SDK calls
        UnauthorizedException e = catchThrowableOfType(UnauthorizedException.class,
                () -> client.chat().completions().create(hello().build()));

        // Then it is a 401 with OpenAI's invalid_api_key code
        assertThat(e.statusCode()).isEqualTo(401);
        assertThat(e.code()).contains("invalid_api_key");
    }

    @Test
    void invalidRequestSurfacesAsBadRequestExceptionNamingTheParameter() {
        // Given a healthy simulator
        // When the SDK sends a temperature outside OpenAI's 0..2 range
        BadRequestException e = catchThrowableOfType(BadRequestException.class,
                () -> client.chat().completions().create(hello().temperature(5.0).build()));

        // Then it is a 400 invalid_request_error naming the parameter
        assertThat(e.statusCode()).isEqualTo(400);
        assertThat(e.type()).contains("invalid_request_error");
        assertThat(e.param()).contains("temperature");
    }

    @Test
    void injectedServerErrorSurfacesAsInternalServerException() {
        // Given every call fails with a 500
        sim.settings(FAST.withErrors(ErrorRates.none().withHttp500(1)));

        // When the SDK calls
        InternalServerException e = catchThrowableOfType(InternalServerException.class,
                () -> client.chat().completions().create(hello().build()));

        // Then the SDK sees OpenAI's server_error
        assertThat(e.statusCode()).isEqualTo(500);
        assertThat(e.type()).contains("server_error");
    }
}
