package io.sluice.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/** The simulated latency: distributions drawn exactly, and the delay felt by callers. */
class LatencyTest {

    @Test
    void fixedLatencyDelaysAnAnswerByAtLeastThatLong() {
        // Given a fixed latency of 300 ms
        try (ProviderSimulator sim = ProviderSimulator.start(
                SimulatorSettings.defaults().withLatency(Latency.fixed(300)), 0)) {
            // When a call is made
            long start = System.nanoTime();
            HttpResponse<String> response = RawHttp.chat(sim);
            Duration took = Duration.ofNanos(System.nanoTime() - start);

            // Then it took at least the latency, and the processing time header reports it
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(took).isGreaterThanOrEqualTo(Duration.ofMillis(300));
            assertThat(response.headers().firstValue("openai-processing-ms")).contains("300");
        }
    }

    @Test
    void uniformLatencyStaysWithinItsBoundsAndCoversThem() {
        // Given a uniform 100..200 ms distribution
        Latency latency = Latency.uniform(100, 200);
        SplittableRandom random = new SplittableRandom(7);

        // When 10,000 delays are drawn
        long[] samples = LongStream.range(0, 10_000).map(i -> latency.sampleMs(random)).toArray();

        // Then all lie within the bounds and both ends occur
        assertThat(Arrays.stream(samples).min().orElseThrow()).isEqualTo(100L);
        assertThat(Arrays.stream(samples).max().orElseThrow()).isEqualTo(200L);
    }

    @Test
    void lognormalLatencyHasTheConfiguredMedianAndP99() {
        // Given a lognormal distribution with median 200 ms and p99 1,000 ms
        Latency latency = Latency.lognormal(200, 1_000);
        SplittableRandom random = new SplittableRandom(7);

        // When 100,000 delays are drawn
        long[] samples = LongStream.range(0, 100_000).map(i -> latency.sampleMs(random)).sorted().toArray();

        // Then the sample median and 99th percentile match the settings within a few percent
        assertThat(samples[50_000]).isBetween(190L, 210L);
        assertThat(samples[99_000]).isBetween(930L, 1_070L);
        assertThat(Arrays.stream(samples).min().orElseThrow()).isGreaterThanOrEqualTo(0L);
    }

    @Test
    void invalidDistributionsAreRefusedNamingTheSimulator() {
        assertThatThrownBy(() -> Latency.uniform(300, 100))
                .isInstanceOf(SimulatorException.class).hasMessageStartingWith("ProviderSimulator:");
        assertThatThrownBy(() -> Latency.lognormal(500, 100)).isInstanceOf(SimulatorException.class);
        assertThatThrownBy(() -> Latency.fixed(-1)).isInstanceOf(SimulatorException.class);
    }
}
