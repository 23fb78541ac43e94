package io.sluice.app.load;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What happened in each second of a load run, counted from its start: requests sent, outcomes that arrived and
 * their end-to-end latencies (kept exactly, four bytes an outcome, so each second's percentiles are exact).
 */
final class LoadTimeline {
    /** One second: requests sent, outcomes arrived, and the latency percentiles of those outcomes (null: none). */
    record Point(int second, int sent, int outcomes, Long p50, Long p95, Long p99) {}

    private static final class Second {
        int sent;
        int outcomes;
        int[] latencies = new int[8];
    }

    private final long startMs;
    private final List<Second> seconds = new ArrayList<>();

    LoadTimeline(long startMs) {
        this.startMs = startMs;
    }

    long startMs() {
        return startMs;
    }

    void sent(long atMs) {
        second(atMs).sent++;
    }

    void outcome(long atMs, long latencyMs) {
        Second second = second(atMs);
        if (second.outcomes == second.latencies.length) {
            second.latencies = Arrays.copyOf(second.latencies, second.outcomes * 2);
        }
        second.latencies[second.outcomes++] = (int) Math.min(latencyMs, Integer.MAX_VALUE);
    }

    /** Requests sent in the second before the one {@code nowMs} is in. */
    int sentInLastSecond(long nowMs) {
        int index = index(nowMs) - 1;
        return index >= 0 && index < seconds.size() ? seconds.get(index).sent : 0;
    }

    /** Outcomes that arrived in the second before the one {@code nowMs} is in. */
    int outcomesInLastSecond(long nowMs) {
        int index = index(nowMs) - 1;
        return index >= 0 && index < seconds.size() ? seconds.get(index).outcomes : 0;
    }

    /** Every second from the start up to the last with anything in it. */
    List<Point> points() {
        List<Point> points = new ArrayList<>(seconds.size());
        for (int i = 0; i < seconds.size(); i++) {
            Second s = seconds.get(i);
            int[] sorted = Arrays.copyOf(s.latencies, s.outcomes);
            Arrays.sort(sorted);
            points.add(new Point(i, s.sent, s.outcomes, percentile(sorted, 50), percentile(sorted, 95),
                    percentile(sorted, 99)));
        }
        return points;
    }

    /** Nearest-rank percentile; null when there are no values. */
    static Long percentile(int[] sorted, double percentile) {
        if (sorted.length == 0) {
            return null;
        }
        int rank = (int) Math.ceil(percentile / 100 * sorted.length);
        return (long) sorted[Math.max(0, rank - 1)];
    }

    private int index(long atMs) {
        return (int) Math.max(0, (atMs - startMs) / 1000);
    }

    private Second second(long atMs) {
        int index = index(atMs);
        while (seconds.size() <= index) {
            seconds.add(new Second());
        }
        return seconds.get(index);
    }
}
