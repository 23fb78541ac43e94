package io.sluice.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Settings: healthy defaults, validation at construction, and the JSON form used by files and the admin API. */
class SimulatorSettingsTest {

    @Test
    void defaultsAnswerFastAndHealthy() {
        SimulatorSettings defaults = SimulatorSettings.defaults();

        assertThat(defaults.latency()).isEqualTo(Latency.fixed(50));
        assertThat(defaults.errors()).isEqualTo(ErrorRates.none());
        assertThat(defaults.rateLimitPerSecond()).isZero();
        assertThat(defaults.outageWindows()).isEmpty();
        assertThat(defaults.outage()).isFalse();
        assertThat(defaults.apiKey()).isNull();
        assertThat(defaults.outputTokens()).isEqualTo(32);
        assertThat(defaults.cachedFraction()).isZero();
    }

    @Test
    void jsonRoundTripKeepsEverySetting() {
        // Given settings that differ from the defaults everywhere
        SimulatorSettings settings = SimulatorSettings.defaults()
                .withLatency(Latency.lognormal(300, 2_000))
                .withErrors(ErrorRates.none().withHttp500(0.01).withOverloaded529(0.02).withTimeout(0.001))
                .withRetryAfterSeconds(5).withHangSeconds(30).withRateLimitPerSecond(50)
                .withOutageWindows(List.of(OutageWindow.unavailable(60_000, 10_000),
                        OutageWindow.connectionResets(120_000, 5_000)))
                .withOutage(true).withApiKey("sk-sim").withSeed(7).withOutputTokens(200)
                .withCachedFraction(0.25).withReasoningFraction(0.5);

        // When written to JSON and read back
        SimulatorSettings read = SimulatorSettings.fromJson(settings.toJson());

        // Then nothing is lost
        assertThat(read).isEqualTo(settings);
    }

    @Test
    void fileSettingsKeepDefaultsForWhatTheyLeaveOut(@TempDir Path dir) throws Exception {
        // Given a file that sets only latency and one error rate
        Path file = dir.resolve("sim.json");
        Files.writeString(file, """
                {
                  "latency": {"kind": "uniform", "minMs": 100, "maxMs": 400},
                  "errors": {"rateLimited429": 0.05},
                  "outageWindows": [{"startOffsetMs": 1000, "durationMs": 500}]
                }
                """);

        // When it is loaded
        SimulatorSettings settings = SimulatorSettings.fromJson(file);

        // Then the given values are used and everything else is the default
        assertThat(settings.latency()).isEqualTo(Latency.uniform(100, 400));
        assertThat(settings.errors()).isEqualTo(ErrorRates.none().withRateLimited429(0.05));
        assertThat(settings.outageWindows()).containsExactly(OutageWindow.unavailable(1000, 500));
        assertThat(settings.outputTokens()).isEqualTo(32);
        assertThat(settings.retryAfterSeconds()).isEqualTo(1);
        assertThat(settings.seed()).isEqualTo(SimulatorSettings.defaults().seed());
    }

    @Test
    void impossibleValuesAreRefusedNamingTheSimulator() {
        assertThatThrownBy(() -> ErrorRates.none().withHttp500(0.7).withHttp503(0.7))
                .isInstanceOf(SimulatorException.class).hasMessageContaining("add up to at most 1");
        assertThatThrownBy(() -> SimulatorSettings.defaults().withOutputTokens(0))
                .isInstanceOf(SimulatorException.class).hasMessageStartingWith("ProviderSimulator:");
        assertThatThrownBy(() -> new OutageWindow(0, 100, "418")).isInstanceOf(SimulatorException.class);
    }

    @Test
    void unknownFieldsAndBrokenJsonAreRefused() {
        assertThatThrownBy(() -> SimulatorSettings.fromJson("{\"latencyy\": {}}"))
                .isInstanceOf(SimulatorException.class).hasMessageContaining("latencyy");
        assertThatThrownBy(() -> SimulatorSettings.fromJson("{not json"))
                .isInstanceOf(SimulatorException.class);
        assertThatThrownBy(() -> SimulatorSettings.fromJson(Path.of("/nonexistent/sim.json")))
                .isInstanceOf(SimulatorException.class).hasMessageContaining("/nonexistent/sim.json");
    }
}
