package io.sluice.app.runtime;

import java.time.Duration;

/**
 * A stop that ends within a bound even when a part will not close (a stream thread stuck on a bad record, a broker
 * gone): past the bound, {@code halt} runs. Nothing is lost by halting: what was not committed is redone by the next
 * start, as after a crash.
 */
public final class BoundedStop {
    private BoundedStop() {}

    /** Runs {@code close}; if it has not returned within {@code bound}, runs {@code halt} (which should not return). */
    public static void run(Runnable close, Duration bound, Runnable halt) {
        Thread watchdog = Thread.ofPlatform().daemon().name("sluice-shutdown-watchdog").start(() -> {
            try {
                Thread.sleep(bound);
                halt.run();
            } catch (InterruptedException stoppedInTime) {
                Thread.currentThread().interrupt();
            }
        });
        try {
            close.run();
        } finally {
            watchdog.interrupt();
        }
    }
}
