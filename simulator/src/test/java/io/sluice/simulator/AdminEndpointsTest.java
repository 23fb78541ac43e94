package io.sluice.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The {@code /_sim} endpoints that observe and steer a running simulator over HTTP. */
class AdminEndpointsTest {
    // Tests post configs and count calls; the extension restores the settings and zeroes the stats between them.
    @RegisterExtension
    static final SimulatorExtension sim = new SimulatorExtension(
            SimulatorSettings.defaults().withLatency(Latency.fixed(1)));

    @Test
    void healthAnswersOk() {
        HttpResponse<String> response = RawHttp.get(sim.get(), "/_sim/health");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(RawHttp.json(response).get("status").asText()).isEqualTo("ok");
    }

    @Test
    void statsCountCallsByEndpointAndStatus() {
        // Given two OpenAI calls, one refused, and one Anthropic call
        RawHttp.chat(sim.get());
        RawHttp.openAi(sim.get(), "{}");
        RawHttp.anthropic(sim.get(), RawHttp.messagesBody("m", "hi", 5));

        // When the stats are read over HTTP
        JsonNode stats = RawHttp.json(RawHttp.get(sim.get(), "/_sim/stats"));

        // Then they count provider calls only, per endpoint and per status
        assertThat(stats.get("totalRequests").asLong()).isEqualTo(3);
        assertThat(stats.at("/byEndpoint/openai.chat.completions").asLong()).isEqualTo(2);
        assertThat(stats.at("/byEndpoint/anthropic.messages").asLong()).isEqualTo(1);
        assertThat(stats.at("/byStatus/200").asLong()).isEqualTo(2);
        assertThat(stats.at("/byStatus/400").asLong()).isEqualTo(1);
        assertThat(stats.get("inFlight").asLong()).isZero();
        assertThat(stats.get("maxInFlight").asLong()).isEqualTo(1);
    }

    @Test
    void resetStatsClearsTheCounters() {
        // Given some traffic
        RawHttp.chat(sim.get());

        // When the stats are reset over HTTP
        HttpResponse<String> response = RawHttp.post(sim.get(), "/_sim/reset-stats", "");

        // Then the counters start from zero
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(sim.stats().totalRequests()).isZero();
        assertThat(sim.stats().byStatus()).isEmpty();
    }

    @Test
    void postedConfigReplacesTheBehaviourAndIsReadBack() {
        // Given a healthy simulator
        // When a config making every call a 500 is posted
        HttpResponse<String> posted = RawHttp.post(sim.get(), "/_sim/config",
                "{\"errors\":{\"http500\":1.0},\"outputTokens\":7}");

        // Then calls fail that way, and the config reads back with defaults for what the post left out
        assertThat(posted.statusCode()).isEqualTo(200);
        assertThat(RawHttp.chat(sim.get()).statusCode()).isEqualTo(500);
        JsonNode config = RawHttp.json(RawHttp.get(sim.get(), "/_sim/config"));
        assertThat(config.at("/errors/http500").asDouble()).isEqualTo(1.0);
        assertThat(config.get("outputTokens").asInt()).isEqualTo(7);
        assertThat(config.at("/latency/fixedMs").asLong()).isEqualTo(50);
        assertThat(sim.settings().errors().http500()).isEqualTo(1.0);
    }

    @Test
    void invalidConfigIsRefusedAndTheOldOneKept() {
        // Given a healthy simulator
        // When an impossible error rate is posted
        HttpResponse<String> posted = RawHttp.post(sim.get(), "/_sim/config", "{\"errors\":{\"http500\":1.5}}");

        // Then it is refused with the reason, and calls still succeed
        assertThat(posted.statusCode()).isEqualTo(400);
        assertThat(RawHttp.json(posted).get("error").asText()).contains("error rates must be within 0..1");
        assertThat(RawHttp.chat(sim.get()).statusCode()).isEqualTo(200);
    }
}
