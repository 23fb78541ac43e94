package io.sluice.app.load;

import io.sluice.limit.Limit;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;

/**
 * The one user of a load run who goes over its per-user request limits, modelled from the configured limits so the
 * load tool knows which of its requests Sluice lets through: it spends its allowance first (requests sure to pass),
 * and its over-limit requests are sent only while it is sure to be refused. Sluice counts a window in 60 buckets, so
 * it may refuse for up to one bucket longer than the window; between the two the hot user sends nothing.
 */
final class HotUser {
    /** Slack for the gap between the load tool's clock and the record time Sluice judges a request on. */
    static final long MARGIN_MS = 1_000;

    private final List<Limit> limits;
    private final long keepMs;
    private final Deque<Long> passed = new ArrayDeque<>();

    /** @param limits the per-user limits in force for the hot user's tenant; those on tokens are left out */
    HotUser(List<Limit> limits) {
        this.limits = limits.stream().filter(l -> l.measure() == Limit.Measure.REQUESTS).toList();
        this.keepMs = this.limits.stream().mapToLong(l -> span(l) + MARGIN_MS).max().orElse(0);
    }

    /** Whether there is a request limit for it to go over. */
    boolean limited() {
        return !limits.isEmpty();
    }

    /** True when a request sent at {@code now} passes every limit for sure: fewer than the maximum in any window. */
    boolean allowanceLeft(long now) {
        forget(now);
        return limits.stream().allMatch(l -> passedWithin(now, span(l) + MARGIN_MS) < l.max());
    }

    /** True when a request sent at {@code now} is refused for sure: some window already holds its maximum. */
    boolean overLimit(long now) {
        forget(now);
        return limits.stream().anyMatch(l -> passedWithin(now, l.window().lengthMs() - MARGIN_MS) >= l.max());
    }

    /** Counts a request sent at {@code now} on its allowance. */
    void spent(long now) {
        passed.addLast(now);
    }

    private static long span(Limit limit) {
        return limit.window().lengthMs() + limit.window().bucketMs();
    }

    private long passedWithin(long now, long spanMs) {
        long count = 0;
        for (Iterator<Long> newestFirst = passed.descendingIterator(); newestFirst.hasNext(); ) {
            if (newestFirst.next() <= now - spanMs) {
                break;
            }
            count++;
        }
        return count;
    }

    private void forget(long now) {
        while (!passed.isEmpty() && passed.peekFirst() <= now - keepMs) {
            passed.removeFirst();
        }
    }
}
