package io.sluice.topology;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** When a pacing node asks its task for a commit, driven tick by tick as the stream thread would. */
class CommitPacerTest {
    private static final CommitPacer.Pacing PACING =
            new CommitPacer.Pacing(Duration.ofMillis(20), Duration.ofMillis(100), 500, 0.25);

    /** Runs {@code seconds} of 20 ms ticks with {@code perTick} records passed before each; returns the asks. */
    private static int asks(CommitPacer<?> pacer, int perTick, int seconds) {
        int asks = 0;
        for (long now = 1_000; now < 1_000 + seconds * 1000L; now += 20) {
            for (int i = 0; i < perTick; i++) {
                pacer.passed();
            }
            if (pacer.shouldCommit(now)) {
                asks++;
            }
        }
        return asks;
    }

    @Test
    void aLightlyLoadedThreadCommitsAtEveryTickThatPassedSomething() {
        // 2 records a tick: 100 a second, under the light load of 500
        CommitPacer<Object> pacer = new CommitPacer<>(PACING, new CommitPacer.ThreadLoad());
        assertThat(asks(pacer, 2, 2)).isBetween(98, 100);
    }

    @Test
    void nothingPassedAsksForNothing() {
        CommitPacer<Object> pacer = new CommitPacer<>(PACING, new CommitPacer.ThreadLoad());
        assertThat(asks(pacer, 0, 2)).isZero();
    }

    @Test
    void aBusyThreadCommitsLessOftenDownToStreamsInterval() {
        // 20 records a tick: 1,000 a second, twice the light load, so every 40 ms
        CommitPacer<Object> twice = new CommitPacer<>(PACING, new CommitPacer.ThreadLoad());
        assertThat(asks(twice, 20, 2)).isBetween(48, 51);
        // 200 a tick: 10,000 a second, so no sooner than Streams' own 100 ms
        CommitPacer<Object> busy = new CommitPacer<>(PACING, new CommitPacer.ThreadLoad());
        assertThat(asks(busy, 200, 2)).isBetween(19, 21);
    }

    @Test
    void theThreadAsksNotEachNode() {
        // two nodes of one thread (two tasks), each passing 8 a tick: 800 a second together, over the light load
        CommitPacer.ThreadLoad thread = new CommitPacer.ThreadLoad();
        CommitPacer<Object> intake = new CommitPacer<>(PACING, thread);
        CommitPacer<Object> call = new CommitPacer<>(PACING, thread);
        int asks = 0;
        for (long now = 1_000; now < 3_000; now += 20) {
            for (int i = 0; i < 8; i++) {
                intake.passed();
                call.passed();
            }
            // their punctuations fall at different times within the tick
            asks += intake.shouldCommit(now) ? 1 : 0;
            asks += call.shouldCommit(now + 7) ? 1 : 0;
        }
        // 800/s: a commit every 32 ms for the thread, so one ask every other tick (40 ms): about 50 in 2 s
        assertThat(asks).isBetween(48, 52);
    }

    @Test
    void aThreadWhoseCommitsAreSlowCommitsLessOftenNotLongerThanTheMaximumShare() {
        // 2 records a tick, light: every 20 ms while commits are cheap (2 ms: 10% of the time)
        CommitPacer.ThreadLoad cheap = new CommitPacer.ThreadLoad();
        assertThat(asksCommitting(new CommitPacer<>(PACING, cheap), cheap, 2_000_000)).isBetween(95, 100);
        // commits of 15 ms each, at most a quarter of the time: one every 60 ms at most (the ask-to-ask interval
        // includes the commit)
        CommitPacer.ThreadLoad slow = new CommitPacer.ThreadLoad();
        assertThat(asksCommitting(new CommitPacer<>(PACING, slow), slow, 15_000_000)).isBetween(30, 36);
        // commits of 60 ms: never longer than Streams' own interval between them
        CommitPacer.ThreadLoad slower = new CommitPacer.ThreadLoad();
        assertThat(asksCommitting(new CommitPacer<>(PACING, slower), slower, 60_000_000)).isBetween(18, 21);
        // with no bound, slow commits change nothing
        CommitPacer.ThreadLoad unbounded = new CommitPacer.ThreadLoad();
        CommitPacer.Pacing noBound = new CommitPacer.Pacing(Duration.ofMillis(20), Duration.ofMillis(100), 500, 1);
        assertThat(asksCommitting(new CommitPacer<>(noBound, unbounded), unbounded, 15_000_000)).isBetween(95, 100);
    }

    /** Two seconds of 20 ms ticks, 2 records a tick, each ask followed by a commit of {@code commitNanos}. */
    private static int asksCommitting(CommitPacer<?> pacer, CommitPacer.ThreadLoad load, long commitNanos) {
        int asks = 0;
        for (long now = 1_000; now < 3_000; now += 20) {
            pacer.passed();
            pacer.passed();
            if (pacer.shouldCommit(now)) {
                asks++;
                load.committing(commitNanos / 2, false); // the flush
                load.committing(commitNanos / 2, true); // the offsets and the end of the transaction
            }
        }
        return asks;
    }

    @Test
    void aMinimumAtStreamsIntervalLeavesItToStreams() {
        assertThat(new CommitPacer.Pacing(Duration.ofMillis(100), Duration.ofMillis(100), 500, 1).enabled()).isFalse();
        assertThat(PACING.enabled()).isTrue();
    }
}
