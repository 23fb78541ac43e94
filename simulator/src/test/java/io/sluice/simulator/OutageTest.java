package io.sluice.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Scheduled outage windows and the on/off outage switch. */
class OutageTest {
    private static final SimulatorSettings FAST = SimulatorSettings.defaults().withLatency(Latency.fixed(1));
    private static final long WINDOW_MS = 5_000;
    // A server per test rather than SimulatorExtension: outage windows count from the server's start.
    private ProviderSimulator sim;

    @AfterEach
    void stopSimulator() {
        sim.close();
    }

    @Test
    void outageWindowAnswers503ForItsDurationThenHealthy() {
        // Given an outage of 5 s from the server's start (the first call, classes loading, must land inside it)
        long beforeStart = System.nanoTime();
        sim = ProviderSimulator.start(FAST.withOutageWindows(List.of(OutageWindow.unavailable(0, WINDOW_MS))), 0);

        // When calls are made during the window
        HttpResponse<String> during = RawHttp.chat(sim);

        // Then they get 503, and healthy answers come back only once the window has passed
        assertThat(during.statusCode()).isEqualTo(503);
        assertThat(RawHttp.json(during).at("/error/type").asText()).isEqualTo("service_unavailable");
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                .until(() -> RawHttp.chat(sim).statusCode() == 200);
        assertThat(Duration.ofNanos(System.nanoTime() - beforeStart)).isGreaterThanOrEqualTo(
                Duration.ofMillis(WINDOW_MS));
        assertThat(RawHttp.anthropic(sim, RawHttp.messagesBody("m", "hi", 5)).statusCode()).isEqualTo(200);
    }

    @Test
    void resetWindowDropsConnectionsThenHealthy() {
        // Given a window of dropped connections from the server's start
        long beforeStart = System.nanoTime();
        sim = ProviderSimulator.start(FAST.withOutageWindows(
                List.of(OutageWindow.connectionResets(0, WINDOW_MS))), 0);

        // When a call is made during the window
        // Then the connection drops, and after the window calls succeed again
        assertThatThrownBy(() -> RawHttp.chat(sim)).isInstanceOf(UncheckedIOException.class);
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                .ignoreException(UncheckedIOException.class)
                .until(() -> RawHttp.chat(sim).statusCode() == 200);
        assertThat(Duration.ofNanos(System.nanoTime() - beforeStart)).isGreaterThanOrEqualTo(
                Duration.ofMillis(WINDOW_MS));
    }

    @Test
    void laterWindowLeavesCallsHealthyUntilItStarts() {
        // Given an outage scheduled an hour after start
        sim = ProviderSimulator.start(FAST.withOutageWindows(
                List.of(new OutageWindow(3_600_000, 60_000, "529"))), 0);

        // When a call is made now
        // Then it is answered normally
        assertThat(RawHttp.chat(sim).statusCode()).isEqualTo(200);
    }

    @Test
    void outageSwitchAnswers503WhileOnAndHealthyOnceOff() {
        // Given a healthy simulator
        sim = ProviderSimulator.start(FAST, 0);
        assertThat(RawHttp.chat(sim).statusCode()).isEqualTo(200);

        // When the outage switch is turned on, then off
        sim.outage(true);
        int openAiDuring = RawHttp.chat(sim).statusCode();
        int anthropicDuring = RawHttp.anthropic(sim, RawHttp.messagesBody("m", "hi", 5)).statusCode();
        sim.outage(false);

        // Then both providers answer 503 while it is on, and normally after
        assertThat(openAiDuring).isEqualTo(503);
        assertThat(anthropicDuring).isEqualTo(503);
        assertThat(RawHttp.chat(sim).statusCode()).isEqualTo(200);
    }

    @Test
    void outageSwitchIsReachableThroughTheAdminEndpoint() {
        // Given a healthy simulator
        sim = ProviderSimulator.start(FAST, 0);

        // When the admin endpoint turns the outage on
        assertThat(RawHttp.post(sim, "/_sim/outage?enabled=true", "").statusCode()).isEqualTo(200);

        // Then calls get 503 until it is turned off again
        assertThat(RawHttp.chat(sim).statusCode()).isEqualTo(503);
        assertThat(sim.settings().outage()).isTrue();
        RawHttp.post(sim, "/_sim/outage?enabled=false", "");
        assertThat(RawHttp.chat(sim).statusCode()).isEqualTo(200);
    }
}
