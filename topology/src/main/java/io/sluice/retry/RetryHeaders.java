package io.sluice.retry;

import io.sluice.topology.DeadLetterHeaders;
import org.apache.kafka.common.header.Headers;

/**
 * Headers of a record on a retry topic, also kept on the record fed back to the call stage so it knows the request
 * is resuming, not new. Values are UTF-8 text, as dead-letter headers are.
 */
public final class RetryHeaders {
    /** Retry tier the record is on, from 1. */
    public static final String TIER = "sluice.retry.tier";
    /** Provider calls made for the request so far. */
    public static final String ATTEMPTS = "sluice.retry.attempts";
    /** When the tier feeds it back to the call stage, epoch milliseconds. */
    public static final String DUE_AT = "sluice.retry.due.at";
    /** Why the route could not answer: RETRIES_EXHAUSTED or NO_TARGET_AVAILABLE. */
    public static final String REASON = "sluice.retry.reason";
    /** The last attempt's error, redacted. */
    public static final String LAST_ERROR = "sluice.retry.last.error";

    private RetryHeaders() {}

    /** The tier a record says it comes from, 0 when it carries none (a new request). */
    public static int tier(Headers headers) {
        String value = DeadLetterHeaders.get(headers, TIER);
        try {
            return value == null ? 0 : Math.max(0, Integer.parseInt(value.strip()));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** The due time a record carries, or {@code fallback} when it has none readable. */
    public static long dueAt(Headers headers, long fallback) {
        String value = DeadLetterHeaders.get(headers, DUE_AT);
        try {
            return value == null ? fallback : Long.parseLong(value.strip());
        } catch (NumberFormatException e) {
            return fallback;
        }
    }
}
