package io.sluice.call;

import java.util.Comparator;
import java.util.PriorityQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One task's two queues: attempts the provider finished (filled by the HTTP client's threads) and requests waiting
 * for their next attempt (backoff, quota, bulkhead, open circuits), by due time; and how many attempts are out.
 * Everything but {@link #finished} is used on the stream thread only.
 */
final class TaskQueues {
    private record Due(long at, String id) {}

    private final LinkedBlockingQueue<Completion> completions = new LinkedBlockingQueue<>();
    private final PriorityQueue<Due> waiting = new PriorityQueue<>(Comparator.comparingLong(Due::at));
    private int running;

    /** An attempt went out. */
    void started() {
        running++;
    }

    /** An attempt ended; called from the HTTP client's threads. */
    void finished(Completion completion) {
        completions.add(completion);
    }

    /** A finished attempt, if one is there. */
    Completion nextCompletion() {
        Completion completion = completions.poll();
        if (completion != null) {
            running--;
        }
        return completion;
    }

    /** A finished attempt, waiting for one until {@code untilNanos} (the nanosecond clock); null if none came. */
    Completion awaitCompletion(long untilNanos) throws InterruptedException {
        Completion completion = completions.poll(untilNanos - System.nanoTime(), TimeUnit.NANOSECONDS);
        if (completion != null) {
            running--;
        }
        return completion;
    }

    /** Request {@code id} is due for its next attempt at {@code at}. */
    void wait(String id, long at) {
        waiting.add(new Due(at, id));
    }

    /** The id of a request due by {@code nowMs}, or null. */
    String nextDue(long nowMs) {
        return !waiting.isEmpty() && waiting.peek().at() <= nowMs ? waiting.poll().id() : null;
    }

    /** When (on the nanosecond clock) the earliest waiting request comes due; far off when none waits. */
    long nextDueNanos(long nowMs) {
        if (waiting.isEmpty()) {
            return Long.MAX_VALUE;
        }
        return System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Math.max(1, waiting.peek().at() - nowMs));
    }

    /** Whether the task has as many attempts out, or requests waiting, as it may: then it takes no new record. */
    boolean full(CallSettings settings) {
        return running >= settings.maxInFlight() || waiting.size() >= settings.maxWaiting();
    }

    /** Forgets everything: the task is closing, and its in-flight store holds what the next owner re-issues. */
    void clear() {
        completions.clear();
        waiting.clear();
        running = 0;
    }
}
