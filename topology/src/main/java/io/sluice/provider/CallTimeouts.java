package io.sluice.provider;

import java.time.Duration;

/**
 * How long one provider call may take. {@code answer} is the provider's time to answer in full, counted from when
 * the request goes out; {@code total} bounds the whole call from its start, the wait for a connection (TCP connect,
 * TLS and HTTP/2 handshakes, a free stream) included. The wait is not the provider's time: were it taken from the
 * answer's, a call that never went out would fail as if the provider had been too slow, and be counted against it.
 */
public record CallTimeouts(Duration answer, Duration total) {
    /** The most a call waits for a connection before its request goes out, when no deadline comes sooner. */
    public static final Duration CONNECTION_WAIT = Duration.ofSeconds(10);

    public CallTimeouts {
        if (answer.isNegative() || answer.isZero() || total.compareTo(answer) < 0) {
            throw new IllegalArgumentException("a call's timeouts must be 0 < answer <= total, but were answer "
                    + answer.toMillis() + " ms, total " + total.toMillis() + " ms");
        }
    }

    /**
     * {@code answer} once the request goes out, after at most {@link #CONNECTION_WAIT} for a connection, and all of
     * it within {@code untilDeadline} (null for no deadline), which may cut both.
     */
    public static CallTimeouts of(Duration answer, Duration untilDeadline) {
        Duration total = answer.plus(CONNECTION_WAIT);
        if (untilDeadline != null && untilDeadline.compareTo(total) < 0) {
            total = untilDeadline;
        }
        return new CallTimeouts(answer.compareTo(total) < 0 ? answer : total, total);
    }
}
