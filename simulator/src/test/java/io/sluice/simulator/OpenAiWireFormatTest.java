package io.sluice.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The OpenAI Chat Completions wire format, checked on the raw JSON and headers. */
class OpenAiWireFormatTest {
    private static final SimulatorSettings FAST = SimulatorSettings.defaults().withLatency(Latency.fixed(1));
    @RegisterExtension
    static final SimulatorExtension sim = new SimulatorExtension(FAST);

    @Test
    void successHasExactlyTheChatCompletionShapeAndHeaders() {
        // Given a healthy simulator
        // When a chat completion is requested
        HttpResponse<String> response = RawHttp.chat(sim.get());

        // Then the body has OpenAI's fields, no more, no fewer, and the usual headers
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type")).contains("application/json");
        assertThat(response.headers().firstValue("x-request-id")).hasValueSatisfying(id -> assertThat(id)
                .startsWith("req_"));
        assertThat(response.headers().firstValue("openai-processing-ms")).contains("1");
        JsonNode body = RawHttp.json(response);
        assertThat(body.properties()).extracting(Map.Entry::getKey).containsExactly("id", "object",
                "created", "model", "choices", "usage", "system_fingerprint", "service_tier");
        assertThat(body.get("id").asText()).startsWith("chatcmpl-");
        assertThat(body.get("object").asText()).isEqualTo("chat.completion");
        assertThat(body.get("created").asLong()).isCloseTo(System.currentTimeMillis() / 1000,
                Offset.offset(60L));
        assertThat(body.get("model").asText()).isEqualTo("gpt-4o-mini");
        JsonNode choice = body.get("choices").get(0);
        assertThat(choice.get("index").asInt()).isZero();
        assertThat(choice.get("message").get("role").asText()).isEqualTo("assistant");
        assertThat(choice.get("message").get("refusal").isNull()).isTrue();
        assertThat(choice.get("logprobs").isNull()).isTrue();
        assertThat(choice.get("finish_reason").asText()).isEqualTo("stop");
        JsonNode usage = body.get("usage");
        assertThat(usage.get("prompt_tokens").asInt()).isEqualTo(3);
        assertThat(usage.get("completion_tokens").asInt()).isEqualTo(32);
        assertThat(usage.get("total_tokens").asInt()).isEqualTo(35);
        assertThat(usage.get("prompt_tokens_details").properties()).extracting(Map.Entry::getKey)
                .containsExactly("cached_tokens", "audio_tokens");
        assertThat(usage.get("completion_tokens_details").properties()).extracting(Map.Entry::getKey)
                .containsExactly("reasoning_tokens", "audio_tokens", "accepted_prediction_tokens",
                        "rejected_prediction_tokens");
        assertThat(body.get("system_fingerprint").asText()).isEqualTo("fp_sluice_sim");
        assertThat(body.get("service_tier").asText()).isEqualTo("default");
    }

    @Test
    void answerNamesTheModelButNeverEchoesThePrompt() {
        // Given a prompt with a distinctive word
        // When it is sent
        JsonNode body = RawHttp.json(RawHttp.openAi(sim.get(), RawHttp.chatBody("gpt-x", "zanzibar quokka secret")));

        // Then the answer is the deterministic simulated text, free of the caller's words
        String text = body.at("/choices/0/message/content").asText();
        assertThat(text).startsWith("Simulated answer from gpt-x to a 6-token prompt.");
        assertThat(text).doesNotContain("zanzibar", "quokka", "secret");
        assertThat(Tokens.ofText(text)).isEqualTo(32);
    }

    @Test
    void arrayContentPartsAndTheLegacyPathAreAccepted() {
        // Given a request with content as an array of text parts, sent to the path without /v1
        String body = "{\"model\":\"m\",\"max_tokens\":4,\"messages\":[{\"role\":\"system\",\"content\":\"abcd\"},"
                + "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"abcdefgh\"}]}]}";

        // When it is sent
        HttpResponse<String> response = RawHttp.post(sim.get(), "/chat/completions", body);

        // Then both messages count and max_tokens caps the answer
        JsonNode json = RawHttp.json(response);
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(json.at("/usage/prompt_tokens").asInt()).isEqualTo(3);
        assertThat(json.at("/usage/completion_tokens").asInt()).isEqualTo(4);
        assertThat(json.at("/choices/0/finish_reason").asText()).isEqualTo("length");
    }

    static Stream<Arguments> injectedErrors() {
        return Stream.of(
                Arguments.of((UnaryOperator<ErrorRates>) e -> e.withHttp500(1), 500, "server_error", "server_error"),
                Arguments.of((UnaryOperator<ErrorRates>) e -> e.withHttp503(1), 503, "service_unavailable",
                        "service_unavailable"),
                Arguments.of((UnaryOperator<ErrorRates>) e -> e.withOverloaded529(1), 503, "server_error",
                        "overloaded"),
                Arguments.of((UnaryOperator<ErrorRates>) e -> e.withRateLimited429(1), 429, "requests",
                        "rate_limit_exceeded"),
                Arguments.of((UnaryOperator<ErrorRates>) e -> e.withQuota429(1), 429, "insufficient_quota",
                        "insufficient_quota"),
                Arguments.of((UnaryOperator<ErrorRates>) e -> e.withBadRequest400(1), 400, "invalid_request_error",
                        "invalid_value"),
                Arguments.of((UnaryOperator<ErrorRates>) e -> e.withUnauthorized401(1), 401,
                        "invalid_request_error", "invalid_api_key"));
    }

    @ParameterizedTest(name = "{1} {2} {3}")
    @MethodSource("injectedErrors")
    void injectedErrorsUseOpenAisErrorEnvelope(UnaryOperator<ErrorRates> rates, int status, String type,
                                               String code) {
        // Given every call fails the given way
        sim.settings(FAST.withErrors(rates.apply(ErrorRates.none())));

        // When a chat completion is requested
        HttpResponse<String> response = RawHttp.chat(sim.get());

        // Then the status, and the body {"error":{"message","type","param","code"}}, are OpenAI's
        assertThat(response.statusCode()).isEqualTo(status);
        assertThat(response.headers().firstValue("x-request-id")).isPresent();
        JsonNode body = RawHttp.json(response);
        assertThat(body.properties()).extracting(Map.Entry::getKey).containsExactly("error");
        JsonNode error = body.get("error");
        assertThat(error.properties()).extracting(Map.Entry::getKey)
                .containsExactly("message", "type", "param", "code");
        assertThat(error.get("message").asText()).isNotBlank();
        assertThat(error.get("type").asText()).isEqualTo(type);
        assertThat(error.get("param").isNull()).isTrue();
        assertThat(error.get("code").asText()).isEqualTo(code);
    }

    @Test
    void rateLimitCarriesRetryAfterInSecondsAndMilliseconds() {
        // Given injected rate limits with a 2 second retry-after
        sim.settings(FAST.withErrors(ErrorRates.none().withRateLimited429(1)).withRetryAfterSeconds(2));

        // When a call is made
        HttpResponse<String> response = RawHttp.chat(sim.get());

        // Then both retry headers are there
        assertThat(response.statusCode()).isEqualTo(429);
        assertThat(response.headers().firstValue("retry-after")).contains("2");
        assertThat(response.headers().firstValue("retry-after-ms")).contains("2000");
    }

    @Test
    void quotaExhaustionSendsNoRetryAfter() {
        // Given the quota is exhausted
        sim.settings(FAST.withErrors(ErrorRates.none().withQuota429(1)));

        // When a call is made
        HttpResponse<String> response = RawHttp.chat(sim.get());

        // Then waiting would not help, so no retry-after is offered
        assertThat(response.statusCode()).isEqualTo(429);
        assertThat(response.headers().firstValue("retry-after")).isEmpty();
    }

    @Test
    void modelsListIsOpenAiShaped() {
        // Given a healthy simulator
        // When the model list is requested
        HttpResponse<String> response = RawHttp.get(sim.get(), "/v1/models");

        // Then it is an OpenAI list of model objects
        JsonNode body = RawHttp.json(response);
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(body.get("object").asText()).isEqualTo("list");
        assertThat(body.get("data")).isNotEmpty().allSatisfy(model -> {
            assertThat(model.get("object").asText()).isEqualTo("model");
            assertThat(model.get("id").asText()).isNotBlank();
        });
    }
}
