package io.sluice.app.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class StreamHealthTest {
    private Instant now = Instant.parse("2026-12-04T10:00:00Z");
    private final Map<String, Long> stalled = new HashMap<>();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final StreamHealth health = new StreamHealth(new Clock() {
        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }, Duration.ofSeconds(60), Duration.ofSeconds(60), () -> stalled, registry);

    @Test
    @DisplayName("one failed thread is a blip; a second within a minute is not ready, until a minute passes quietly")
    void notReadyWhileThreadsKeepFailing() {
        health.threadFailed(new IllegalStateException("first"));
        assertThat(health.problems()).isEmpty();

        now = now.plusSeconds(10);
        health.threadFailed(new OutOfMemoryError("Java heap space"));
        assertThat(health.problems()).singleElement().asString()
                .contains("failed 2 times in the last 60 s").contains("OutOfMemoryError: Java heap space");

        now = now.plusSeconds(61);
        assertThat(health.problems()).isEmpty();
        assertThat(registry.get("sluice.stream.thread.replacements").counter().count()).isEqualTo(2);
    }

    @Test
    @DisplayName("a stage with records waiting is named once it has committed nothing for the stall timeout")
    void namesAStalledStage() {
        stalled.put("call", 59_000L);
        assertThat(health.problems()).isEmpty();

        stalled.put("call", 61_000L);
        assertThat(health.problems()).containsExactly("stage 'call' has records waiting and has committed none for"
                + " 61 s");
    }
}
