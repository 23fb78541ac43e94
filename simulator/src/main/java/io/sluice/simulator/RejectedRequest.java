package io.sluice.simulator;

/** Thrown while reading a request that a real provider would refuse; carries the error to answer with. */
final class RejectedRequest extends RuntimeException {
    private final transient ApiError error;

    RejectedRequest(ApiError error) {
        // No stack trace: this is an expected answer path, taken on the event loop, possibly thousands of times.
        super(error.message(), null, false, false);
        this.error = error;
    }

    static RejectedRequest invalid(String message, String param) {
        return new RejectedRequest(ApiError.invalid(message, param));
    }

    ApiError error() {
        return error;
    }
}
