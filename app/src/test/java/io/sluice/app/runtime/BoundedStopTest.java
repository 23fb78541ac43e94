package io.sluice.app.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class BoundedStopTest {
    @Test
    @DisplayName("a close that hangs is cut short by the halt once the bound passes")
    void haltsAHangingClose() throws Exception {
        CountDownLatch halted = new CountDownLatch(1);
        Thread stopping = Thread.ofPlatform().start(() -> BoundedStop.run(() -> {
            try {
                halted.await(); // a part that never closes by itself
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, Duration.ofMillis(200), halted::countDown));

        assertThat(halted.await(10, TimeUnit.SECONDS)).as("halted").isTrue();
        stopping.join(10_000);
        assertThat(stopping.isAlive()).isFalse();
    }

    @Test
    @DisplayName("a close within the bound does not halt")
    void closesInTime() throws Exception {
        AtomicBoolean halted = new AtomicBoolean();

        BoundedStop.run(() -> { }, Duration.ofMillis(300), () -> halted.set(true));

        Thread.sleep(600); // past the bound: the watchdog, stopped, must not fire
        assertThat(halted).isFalse();
    }
}
