package io.sluice.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The Anthropic Messages wire format, checked on the raw JSON and headers. */
class AnthropicWireFormatTest {
    private static final SimulatorSettings FAST = SimulatorSettings.defaults().withLatency(Latency.fixed(1));
    @RegisterExtension
    static final SimulatorExtension sim = new SimulatorExtension(FAST);

    @Test
    void successHasExactlyTheMessageShapeAndARequestId() {
        // Given a healthy simulator
        // When a message is created
        HttpResponse<String> response = RawHttp.anthropic(sim.get(),
                RawHttp.messagesBody("claude-x", "Hello there", 500));

        // Then the body has Anthropic's fields in Anthropic's order
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("request-id")).hasValueSatisfying(id -> assertThat(id)
                .startsWith("req_"));
        JsonNode body = RawHttp.json(response);
        assertThat(body.properties()).extracting(Map.Entry::getKey).containsExactly("id", "type", "role", "model",
                "content", "stop_reason", "stop_sequence", "usage");
        assertThat(body.get("id").asText()).startsWith("msg_");
        assertThat(body.get("type").asText()).isEqualTo("message");
        assertThat(body.get("role").asText()).isEqualTo("assistant");
        assertThat(body.get("model").asText()).isEqualTo("claude-x");
        assertThat(body.at("/content/0/type").asText()).isEqualTo("text");
        assertThat(body.at("/content/0/text").asText()).startsWith("Simulated answer from claude-x");
        assertThat(body.get("stop_reason").asText()).isEqualTo("end_turn");
        assertThat(body.get("stop_sequence").isNull()).isTrue();
        assertThat(body.get("usage").properties()).extracting(Map.Entry::getKey).containsExactly("input_tokens",
                "output_tokens", "cache_creation_input_tokens", "cache_read_input_tokens");
        assertThat(body.at("/usage/input_tokens").asInt()).isEqualTo(3);
        assertThat(body.at("/usage/output_tokens").asInt()).isEqualTo(32);
    }

    @Test
    void systemBlocksAndContentBlocksCountAsPrompt() {
        // Given system and content given as block arrays, sent to the path without /v1
        String body = "{\"model\":\"m\",\"max_tokens\":10,\"system\":[{\"type\":\"text\",\"text\":\"abcdefgh\"}],"
                + "\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"abcd\"}]}]}";
        HttpRequest request = RawHttp.postRequest(sim.get(), "/messages", body)
                .header("anthropic-version", "2023-06-01").build();

        // When it is sent
        HttpResponse<String> response = RawHttp.send(request);

        // Then system and messages are counted, and max_tokens caps the answer
        JsonNode json = RawHttp.json(response);
        assertThat(json.at("/usage/input_tokens").asInt()).isEqualTo(3);
        assertThat(json.at("/usage/output_tokens").asInt()).isEqualTo(10);
        assertThat(json.get("stop_reason").asText()).isEqualTo("max_tokens");
    }

    static Stream<Arguments> injectedErrors() {
        return Stream.of(
                Arguments.of((UnaryOperator<ErrorRates>) e -> e.withBadRequest400(1), 400, "invalid_request_error"),
                Arguments.of((UnaryOperator<ErrorRates>) e -> e.withUnauthorized401(1), 401, "authentication_error"),
                Arguments.of((UnaryOperator<ErrorRates>) e -> e.withQuota429(1), 402, "billing_error"),
                Arguments.of((UnaryOperator<ErrorRates>) e -> e.withRateLimited429(1), 429, "rate_limit_error"),
                Arguments.of((UnaryOperator<ErrorRates>) e -> e.withHttp500(1), 500, "api_error"),
                Arguments.of((UnaryOperator<ErrorRates>) e -> e.withHttp503(1), 503, "api_error"),
                Arguments.of((UnaryOperator<ErrorRates>) e -> e.withOverloaded529(1), 529, "overloaded_error"));
    }

    @ParameterizedTest(name = "{1} {2}")
    @MethodSource("injectedErrors")
    void injectedErrorsUseAnthropicsErrorEnvelope(UnaryOperator<ErrorRates> rates, int status, String type) {
        // Given every call fails the given way
        sim.settings(FAST.withErrors(rates.apply(ErrorRates.none())));

        // When a message is created
        HttpResponse<String> response = RawHttp.anthropic(sim.get(), RawHttp.messagesBody("m", "hi", 10));

        // Then the status and the body {"type":"error","error":{"type","message"}} are Anthropic's
        assertThat(response.statusCode()).isEqualTo(status);
        assertThat(response.headers().firstValue("request-id")).isPresent();
        JsonNode body = RawHttp.json(response);
        assertThat(body.properties()).extracting(Map.Entry::getKey).containsExactly("type", "error");
        assertThat(body.get("type").asText()).isEqualTo("error");
        assertThat(body.get("error").properties()).extracting(Map.Entry::getKey).containsExactly("type", "message");
        assertThat(body.at("/error/type").asText()).isEqualTo(type);
        assertThat(body.at("/error/message").asText()).isNotBlank();
        assertThat(response.headers().firstValue("retry-after").isPresent()).isEqualTo(status == 429);
    }

    @Test
    void missingAnthropicVersionHeaderIsRefusedWith400() {
        // Given a request without the anthropic-version header
        String body = RawHttp.messagesBody("m", "hi", 10);

        // When it is sent
        HttpResponse<String> response = RawHttp.post(sim.get(), "/v1/messages", body);

        // Then it is refused as invalid
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(RawHttp.json(response).at("/error/message").asText()).contains("anthropic-version");
    }

    @Test
    void missingMaxTokensIsRefusedWith400() {
        // Given a request without max_tokens, which Anthropic requires
        String body = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

        // When it is sent
        HttpResponse<String> response = RawHttp.anthropic(sim.get(), body);

        // Then it is refused naming the field
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(RawHttp.json(response).at("/error/type").asText()).isEqualTo("invalid_request_error");
        assertThat(RawHttp.json(response).at("/error/message").asText()).isEqualTo("max_tokens: Field required");
    }

    @Test
    void missingOrWrongKeyIsRefusedWith401WhenAKeyIsRequired() {
        // Given a simulator that requires a key
        sim.settings(FAST.withApiKey("sk-ant-right"));
        String body = RawHttp.messagesBody("m", "hi", 10);

        // When calls come without a key, with a wrong key and with the right key
        HttpResponse<String> missing = RawHttp.anthropic(sim.get(), body);
        HttpResponse<String> wrong = RawHttp.anthropic(sim.get(), body, "sk-ant-wrong");
        HttpResponse<String> right = RawHttp.anthropic(sim.get(), body, "sk-ant-right");

        // Then only the right key passes
        assertThat(missing.statusCode()).isEqualTo(401);
        assertThat(RawHttp.json(missing).at("/error/type").asText()).isEqualTo("authentication_error");
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(right.statusCode()).isEqualTo(200);
    }
}
