package io.sluice.simulator;

/**
 * The provider-side request rate limit: a bucket holding up to one second's worth of tokens, refilled continuously.
 * Shared by all event loops, hence synchronized; the critical section is a few arithmetic operations.
 */
final class TokenBucket {
    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private final double ratePerSecond;
    private final double capacity;
    private double tokens;
    private long lastRefillNanos;

    TokenBucket(double ratePerSecond, long nowNanos) {
        this.ratePerSecond = ratePerSecond;
        this.capacity = Math.max(1.0, ratePerSecond);
        this.tokens = capacity;
        this.lastRefillNanos = nowNanos;
    }

    double ratePerSecond() {
        return ratePerSecond;
    }

    /** Takes one token; returns 0 when granted, else the milliseconds until a token will be there (at least 1). */
    synchronized long tryAcquire(long nowNanos) {
        if (ratePerSecond <= 0) {
            return 0;
        }
        long elapsed = Math.max(0, nowNanos - lastRefillNanos);
        tokens = Math.min(capacity, tokens + elapsed * ratePerSecond / NANOS_PER_SECOND);
        lastRefillNanos = nowNanos;
        if (tokens >= 1.0) {
            tokens -= 1.0;
            return 0;
        }
        double missing = 1.0 - tokens;
        return Math.max(1, (long) Math.ceil(missing / ratePerSecond * 1000));
    }
}
