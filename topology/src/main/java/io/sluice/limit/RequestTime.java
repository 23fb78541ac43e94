package io.sluice.limit;

/**
 * The time limits and budgets judge a request at: its own timestamp (when the user sent it), kept within a window
 * around the wall clock. A timestamp in the future would put the request in windows nobody else is in yet; one far in
 * the past would put it in windows the counters no longer keep (or last month's budget): either would let a producer
 * dodge its limits by choosing the timestamp. Outside [now - {@value #MAX_PAST_MS} ms, now + skew] the request is
 * judged at the nearest end.
 */
public final class RequestTime {
    /**
     * How far back a request's own time is believed. The counters keep every bucket a request judged this far back
     * can see: they drop only buckets more than a window older than now minus this, so a minute window keeps up to
     * two minutes of buckets.
     */
    public static final long MAX_PAST_MS = 60_000;

    private RequestTime() {}

    public static long judgedTime(long timestamp, long now, long maxFutureSkewMs) {
        return Math.max(Math.min(timestamp, now + maxFutureSkewMs), now - MAX_PAST_MS);
    }
}
