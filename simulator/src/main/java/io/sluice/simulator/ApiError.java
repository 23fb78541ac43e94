package io.sluice.simulator;

/**
 * A provider error before rendering: each dialect turns it into its own status, type and body.
 *
 * @param outcome      which kind of error
 * @param message      text for the caller; null takes the dialect's stock message
 * @param param        the offending request field (OpenAI's "param"), or null
 * @param retryAfterMs for rate limits, when to come back; 0 sends no retry-after
 */
record ApiError(Outcome outcome, String message, String param, long retryAfterMs) {
    static ApiError of(Outcome outcome) {
        return new ApiError(outcome, null, null, 0);
    }

    static ApiError invalid(String message, String param) {
        return new ApiError(Outcome.BAD_REQUEST, message, param, 0);
    }

    static ApiError unauthorized(String message) {
        return new ApiError(Outcome.UNAUTHORIZED, message, null, 0);
    }

    static ApiError rateLimited(long retryAfterMs) {
        return new ApiError(Outcome.RATE_LIMITED, null, null, retryAfterMs);
    }
}
