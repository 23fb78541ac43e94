package io.sluice.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The provider-side requests-per-second limit. */
class RateLimitTest {
    // A server per test rather than SimulatorExtension, so each starts with a full token bucket.
    private ProviderSimulator sim;

    @AfterEach
    void stopSimulator() {
        sim.close();
    }

    @Test
    void callsAboveTheConfiguredRateGet429WithRetryAfter() {
        // Given a limit of 5 requests per second
        double rate = 5;
        sim = ProviderSimulator.start(SimulatorSettings.defaults().withLatency(Latency.fixed(0))
                .withRateLimitPerSecond(rate), 0);

        // When 30 calls are made back to back
        long start = System.nanoTime();
        List<HttpResponse<String>> responses = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            responses.add(RawHttp.chat(sim));
        }
        double elapsedSeconds = (System.nanoTime() - start) / 1e9;

        // Then no more got through than a second's burst plus the refill over the elapsed time
        long ok = responses.stream().filter(r -> r.statusCode() == 200).count();
        List<HttpResponse<String>> limited = responses.stream().filter(r -> r.statusCode() == 429).toList();
        assertThat(ok + limited.size()).isEqualTo(30);
        assertThat(ok).isGreaterThanOrEqualTo(5).isLessThanOrEqualTo((long) Math.ceil(rate + rate * elapsedSeconds));
        // And each 429 says when a token will be back, never later than one token's refill time
        assertThat(limited).isNotEmpty().allSatisfy(r -> {
            assertThat(r.headers().firstValue("retry-after")).contains("1");
            assertThat(Long.parseLong(r.headers().firstValue("retry-after-ms").orElseThrow()))
                    .isBetween(1L, 200L);
            assertThat(RawHttp.json(r).at("/error/code").asText()).isEqualTo("rate_limit_exceeded");
        });
    }

    @Test
    void zeroRateMeansNoLimit() {
        // Given the default settings, where the limit is off
        sim = ProviderSimulator.start(SimulatorSettings.defaults().withLatency(Latency.fixed(0)), 0);

        // When 50 calls are made back to back
        // Then all succeed
        for (int i = 0; i < 50; i++) {
            assertThat(RawHttp.chat(sim).statusCode()).isEqualTo(200);
        }
    }
}
