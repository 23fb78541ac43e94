package io.sluice.app.runtime;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * What Kafka Streams' own state does not show: a stream thread that keeps failing (it is replaced, the state stays
 * RUNNING, and the same record fails the next one) and a stage with records waiting that has committed nothing for
 * a while. Either makes {@code /health/ready} answer DOWN with the reason, and is counted; both clear by themselves
 * once the threads stay up and the stage moves again.
 */
final class StreamHealth {
    /** Failures within the window that make "keeps failing": one is a blip, two is a pattern. */
    static final int FAILURES_TO_FAIL = 2;

    private final Clock clock;
    private final Duration failureWindow;
    private final Duration stallAfter;
    private final Supplier<Map<String, Long>> stalledStages;
    private final Counter replaced;
    private final Deque<Failure> failures = new ArrayDeque<>();

    private record Failure(long atMs, String what) {}

    /**
     * @param stalledStages for each stage with records waiting, how long (ms) since its committed offsets last
     *                      moved ({@link StageLag#stalledMs()})
     */
    StreamHealth(Clock clock, Duration failureWindow, Duration stallAfter, Supplier<Map<String, Long>> stalledStages,
                 MeterRegistry registry) {
        this.clock = clock;
        this.failureWindow = failureWindow;
        this.stallAfter = stallAfter;
        this.stalledStages = stalledStages;
        this.replaced = Counter.builder("sluice.stream.thread.replacements")
                .description("Stream threads that failed and were replaced").register(registry);
    }

    /** Called from the uncaught-exception handler before the thread is replaced. */
    synchronized void threadFailed(Throwable error) {
        replaced.increment();
        failures.addLast(new Failure(clock.millis(), error.getClass().getSimpleName() + ": " + error.getMessage()));
        while (failures.size() > 16) {
            failures.removeFirst();
        }
    }

    /** Why this instance should not be called ready, or nothing. */
    List<String> problems() {
        List<String> problems = new ArrayList<>();
        long now = clock.millis();
        synchronized (this) {
            failures.removeIf(f -> now - f.atMs() > failureWindow.toMillis());
            if (failures.size() >= FAILURES_TO_FAIL) {
                problems.add("stream threads failed " + failures.size() + " times in the last "
                        + failureWindow.toSeconds() + " s, last: " + failures.getLast().what());
            }
        }
        stalledStages.get().forEach((stage, ms) -> {
            if (ms >= stallAfter.toMillis()) {
                problems.add("stage '" + stage + "' has records waiting and has committed none for " + ms / 1000
                        + " s");
            }
        });
        return problems;
    }
}
