package io.sluice.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Faults that break the HTTP exchange itself rather than answering with an error status. */
class FaultInjectionTest {
    private static final SimulatorSettings FAST = SimulatorSettings.defaults().withLatency(Latency.fixed(1));
    // A server per test rather than SimulatorExtension: dropped and hung connections must not reach the next test.
    private ProviderSimulator sim;

    @AfterEach
    void stopSimulator() {
        sim.close();
    }

    @Test
    void malformedAnswersAre200WithUnparsableJson() {
        // Given every answer is malformed
        sim = ProviderSimulator.start(FAST.withErrors(ErrorRates.none().withMalformed(1)), 0);

        // When a chat completion and a message are requested
        HttpResponse<String> openAi = RawHttp.chat(sim);
        HttpResponse<String> anthropic = RawHttp.anthropic(sim, RawHttp.messagesBody("m", "hi", 10));

        // Then both claim success but their bodies are cut-off JSON
        assertThat(openAi.statusCode()).isEqualTo(200);
        assertThat(anthropic.statusCode()).isEqualTo(200);
        assertThat(openAi.body()).startsWith("{\"id\":\"chatcmpl-");
        assertThatThrownBy(() -> RawHttp.MAPPER.readTree(openAi.body()))
                .isInstanceOf(JsonProcessingException.class);
        assertThatThrownBy(() -> RawHttp.MAPPER.readTree(anthropic.body()))
                .isInstanceOf(JsonProcessingException.class);
    }

    @Test
    void connectionResetFailsTheCallerWithAnIOException() {
        // Given every call has its connection dropped
        sim = ProviderSimulator.start(FAST.withErrors(ErrorRates.none().withConnectionReset(1)), 0);

        // When a call is made
        // Then the caller gets no response, only an I/O failure
        assertThatThrownBy(() -> RawHttp.CLIENT.send(RawHttp.openAiRequest(sim, RawHttp.chatBody("m", "hi")).build(),
                HttpResponse.BodyHandlers.ofString())).isInstanceOf(IOException.class);
        assertThat(sim.stats().status("reset")).isEqualTo(1);
        assertThat(sim.stats().inFlight()).isZero();
    }

    @Test
    void timeoutFaultNeverAnswersAndStopsCountingOnceTheCallerGivesUp() {
        // Given every call hangs for a minute
        sim = ProviderSimulator.start(FAST.withErrors(ErrorRates.none().withTimeout(1)).withHangSeconds(60), 0);
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

        // When a caller waits only half a second
        // Then it times out, and once it has hung up the simulator no longer counts the call in flight
        assertThatThrownBy(() -> client.send(RawHttp.openAiRequest(sim, RawHttp.chatBody("m", "hi"))
                .timeout(Duration.ofMillis(500)).build(), HttpResponse.BodyHandlers.ofString()))
                .isInstanceOf(HttpTimeoutException.class);
        client.close();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(sim.stats().inFlight()).isZero();
            assertThat(sim.stats().status("client-closed")).isEqualTo(1);
        });
    }

    @Test
    void timeoutFaultDropsTheConnectionWhenTheHangTimeRunsOut() {
        // Given every call hangs for one second
        sim = ProviderSimulator.start(FAST.withErrors(ErrorRates.none().withTimeout(1)).withHangSeconds(1), 0);

        // When a patient caller waits
        // Then no answer ever comes: the connection is dropped after the hang
        assertThatThrownBy(() -> RawHttp.CLIENT.send(RawHttp.openAiRequest(sim, RawHttp.chatBody("m", "hi"))
                .build(), HttpResponse.BodyHandlers.ofString())).isInstanceOf(IOException.class);
        assertThat(sim.stats().status("timeout")).isEqualTo(1);
    }
}
