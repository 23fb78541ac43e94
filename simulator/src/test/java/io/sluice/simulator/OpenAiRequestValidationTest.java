package io.sluice.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Requests OpenAI would refuse (bad fields, streaming, missing or wrong key) get OpenAI's 400s and 401s. */
class OpenAiRequestValidationTest {
    private static final SimulatorSettings FAST = SimulatorSettings.defaults().withLatency(Latency.fixed(1));
    @RegisterExtension
    static final SimulatorExtension sim = new SimulatorExtension(FAST);

    @Test
    void streamingIsRefusedAsInvalidRequest() {
        // Given a request asking for a stream
        String body = "{\"model\":\"m\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

        // When it is sent
        HttpResponse<String> response = RawHttp.openAi(sim.get(), body);

        // Then it is a 400 that says why
        assertThat(response.statusCode()).isEqualTo(400);
        JsonNode error = RawHttp.json(response).get("error");
        assertThat(error.get("type").asText()).isEqualTo("invalid_request_error");
        assertThat(error.get("message").asText()).isEqualTo("streaming is not supported by the simulator");
        assertThat(error.get("param").asText()).isEqualTo("stream");
    }

    @Test
    void invalidBodiesAreRefusedWith400NamingTheParameter() {
        // Given requests a real provider would refuse
        List<String> bodies = List.of("not json", "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}",
                "{\"model\":\"m\"}", "{\"model\":\"m\",\"messages\":[]}",
                "{\"model\":\"m\",\"max_tokens\":0,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");

        // When each is sent
        // Then each is a 400 invalid_request_error, and the ones about a field name it
        List<JsonNode> errors = bodies.stream().map(b -> RawHttp.openAi(sim.get(), b))
                .peek(r -> assertThat(r.statusCode()).isEqualTo(400))
                .map(r -> RawHttp.json(r).get("error")).toList();
        assertThat(errors).allSatisfy(e -> assertThat(e.get("type").asText()).isEqualTo("invalid_request_error"));
        assertThat(errors).extracting(e -> e.get("param").asText(null))
                .containsExactly(null, "model", "messages", "messages", "max_tokens");
    }

    @Test
    void missingOrWrongKeyIsRefusedWith401WhenAKeyIsRequired() {
        // Given a simulator that requires a key
        sim.settings(FAST.withApiKey("sk-right"));
        String body = RawHttp.chatBody("m", "hi");

        // When calls come without a key, with a wrong key and with the right key
        HttpResponse<String> missing = RawHttp.openAi(sim.get(), body);
        HttpResponse<String> wrong = RawHttp.openAi(sim.get(), body, "sk-wrong-key");
        HttpResponse<String> right = RawHttp.openAi(sim.get(), body, "sk-right");

        // Then only the right key passes, and the others get invalid_api_key without the key echoed whole
        assertThat(missing.statusCode()).isEqualTo(401);
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(RawHttp.json(wrong).at("/error/code").asText()).isEqualTo("invalid_api_key");
        assertThat(wrong.body()).doesNotContain("sk-wrong-key");
        assertThat(right.statusCode()).isEqualTo(200);
    }
}
