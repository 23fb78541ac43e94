package io.sluice.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Seeded fault injection: the same seed and call order give the same outcomes, run after run. */
class ReproducibilityTest {
    private static final int CALLS = 60;
    private static final ErrorRates MIXED = ErrorRates.none().withHttp500(0.2).withHttp503(0.1)
            .withRateLimited429(0.1).withBadRequest400(0.1);

    private static SimulatorSettings seeded(long seed) {
        return SimulatorSettings.defaults().withLatency(Latency.uniform(0, 3)).withErrors(MIXED).withSeed(seed);
    }

    private static List<Integer> statuses(ProviderSimulator sim) {
        return IntStream.range(0, CALLS).mapToObj(i -> RawHttp.chat(sim).statusCode()).toList();
    }

    @Test
    void sameSeedGivesTheSameSequenceOfStatuses() {
        // Given two separate simulators started with the same seed
        List<Integer> first;
        List<Integer> second;
        try (ProviderSimulator sim = ProviderSimulator.start(seeded(1234), 0)) {
            first = statuses(sim);
        }
        try (ProviderSimulator sim = ProviderSimulator.start(seeded(1234), 0)) {
            second = statuses(sim);
        }

        // When the same calls are made in the same order
        // Then the statuses match call for call, and really are a mix
        assertThat(second).isEqualTo(first);
        Map<Integer, Long> counts = first.stream().collect(Collectors.groupingBy(Function.identity(),
                Collectors.counting()));
        assertThat(counts).containsKeys(200, 500, 503, 429, 400);
    }

    @Test
    void reapplyingSettingsRestartsTheSequence() {
        // Given one simulator
        try (ProviderSimulator sim = ProviderSimulator.start(seeded(99), 0)) {
            // When its settings are applied again between two runs
            List<Integer> first = statuses(sim);
            sim.settings(seeded(99));
            List<Integer> second = statuses(sim);

            // Then the second run repeats the first
            assertThat(second).isEqualTo(first);
        }
    }

    @Test
    void differentSeedsGiveDifferentSequences() {
        // Given simulators with different seeds
        try (ProviderSimulator sim = ProviderSimulator.start(seeded(1), 0)) {
            List<Integer> first = statuses(sim);
            sim.settings(seeded(2));

            // When the same calls are made
            // Then the outcomes differ somewhere
            assertThat(statuses(sim)).isNotEqualTo(first);
        }
    }

    @Test
    void errorRatesMapUniformDrawsToOutcomesInAFixedOrder() {
        // Given 20% 500s then 10% 503s
        ErrorRates rates = ErrorRates.none().withHttp500(0.2).withHttp503(0.1);

        // When draws fall in each band
        // Then they map to the band's outcome, and the remainder is success
        assertThat(rates.pick(0.0)).isEqualTo(Outcome.SERVER_ERROR);
        assertThat(rates.pick(0.19)).isEqualTo(Outcome.SERVER_ERROR);
        assertThat(rates.pick(0.25)).isEqualTo(Outcome.UNAVAILABLE);
        assertThat(rates.pick(0.31)).isEqualTo(Outcome.SUCCESS);
        assertThat(ErrorRates.none().pick(0.0)).isEqualTo(Outcome.SUCCESS);
    }
}
