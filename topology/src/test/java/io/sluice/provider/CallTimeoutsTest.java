package io.sluice.provider;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class CallTimeoutsTest {
    private static final Duration ANSWER = Duration.ofSeconds(30);

    @Test
    @DisplayName("without a deadline, a call may wait for a connection on top of its answer time")
    void waitForAConnectionComesOnTop() {
        CallTimeouts timeouts = CallTimeouts.of(ANSWER, null);

        assertThat(timeouts.answer()).isEqualTo(ANSWER);
        assertThat(timeouts.total()).isEqualTo(ANSWER.plus(CallTimeouts.CONNECTION_WAIT));
    }

    @Test
    @DisplayName("a deadline sooner than that cuts the whole call, and the answer time with it")
    void deadlineCutsBoth() {
        assertThat(CallTimeouts.of(ANSWER, Duration.ofSeconds(35)))
                .isEqualTo(new CallTimeouts(ANSWER, Duration.ofSeconds(35)));
        assertThat(CallTimeouts.of(ANSWER, Duration.ofMillis(400)))
                .isEqualTo(new CallTimeouts(Duration.ofMillis(400), Duration.ofMillis(400)));
    }
}
