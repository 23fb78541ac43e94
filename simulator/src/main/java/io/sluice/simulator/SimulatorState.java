package io.sluice.simulator;

import java.util.Random;
import java.util.SplittableRandom;

/**
 * The behaviour currently in force, swapped atomically when settings change so that a call sees one consistent set
 * of settings from start to end.
 */
final class SimulatorState {
    /** Settings together with the random source and rate limiter they imply. */
    record Behaviour(SimulatorSettings settings, Random random, TokenBucket bucket) {
        /**
         * Each call draws its own generator from the shared seeded one, exactly one draw per call, so a call's
         * outcome depends only on the seed and its arrival order, not on how many numbers earlier calls used.
         */
        SplittableRandom nextCallRandom() {
            return new SplittableRandom(random.nextLong());
        }
    }

    private final long startNanos = System.nanoTime();
    private volatile Behaviour behaviour;

    SimulatorState(SimulatorSettings settings) {
        apply(settings);
    }

    synchronized void apply(SimulatorSettings settings) {
        Behaviour previous = behaviour;
        // Keep the bucket's fill level when only other settings change, so a config tweak is no free burst.
        TokenBucket bucket = previous != null && previous.bucket().ratePerSecond() == settings.rateLimitPerSecond()
                ? previous.bucket()
                : new TokenBucket(settings.rateLimitPerSecond(), System.nanoTime());
        behaviour = new Behaviour(settings, new Random(settings.seed()), bucket);
    }

    Behaviour current() {
        return behaviour;
    }

    /** Milliseconds since the server started: the clock outage windows are written against. */
    long offsetMs() {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }
}
