package io.sluice.limit;

/**
 * Every counter of one user or one tenant, one {@link SlidingWindowCounter} per window and measure it is counted in:
 * the value of its one entry in the scope's counters store, read once and written once per request.
 */
final class Counters {
    private static final int MEASURES = Limit.Measure.values().length;
    static final int SERIES = Limit.Window.values().length * MEASURES;

    /** By {@link #series}: null where nothing is counted. */
    private final SlidingWindowCounter[] counters = new SlidingWindowCounter[SERIES];

    /** The position of a window and measure's counter, as the value's bytes name it too. */
    static int series(Limit.Window window, Limit.Measure measure) {
        return window.ordinal() * MEASURES + measure.ordinal();
    }

    static Limit.Window window(int series) {
        return Limit.Window.values()[series / MEASURES];
    }

    /** The counter of {@code window} and {@code measure}, empty if nothing was counted in it yet. */
    SlidingWindowCounter counter(Limit.Window window, Limit.Measure measure) {
        int series = series(window, measure);
        if (counters[series] == null) {
            counters[series] = new SlidingWindowCounter(window);
        }
        return counters[series];
    }

    /** The counter at {@code series}, or null. */
    SlidingWindowCounter at(int series) {
        return counters[series];
    }

    void set(int series, SlidingWindowCounter counter) {
        counters[series] = counter;
    }

    /** Forgets every bucket that no request judged at {@code oldestTime} or later can see. */
    void dropBefore(long oldestTime) {
        for (SlidingWindowCounter counter : counters) {
            if (counter != null) {
                counter.dropBefore(oldestTime);
            }
        }
    }

    /** Whether no bucket is left: the entry can be deleted. */
    boolean isEmpty() {
        for (SlidingWindowCounter counter : counters) {
            if (counter != null && !counter.isEmpty()) {
                return false;
            }
        }
        return true;
    }
}
