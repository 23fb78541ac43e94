package io.sluice.simulator;

/** What one simulated call ends in. Each provider dialect renders the error outcomes in its own wire format. */
enum Outcome {
    SUCCESS,
    BAD_REQUEST,
    UNAUTHORIZED,
    RATE_LIMITED,
    QUOTA_EXCEEDED,
    SERVER_ERROR,
    UNAVAILABLE,
    OVERLOADED,
    /** A 200 whose JSON body is cut short, as a broken proxy or a truncated read would deliver it. */
    MALFORMED,
    CONNECTION_RESET,
    /** No answer at all until the hang time has passed, then the connection is dropped. */
    HANG
}
