package io.sluice.provider;

import java.time.Duration;
import java.util.Optional;

/**
 * A failed provider call, classified: {@code retryable} errors (429 rate limits, 5xx, 529, timeouts, resets) may
 * succeed later; the rest (400, 401, 403, 404, quota exhausted) will not. Messages never contain credentials.
 */
public final class ProviderException extends RuntimeException {
    private final String provider;
    private final int status;
    private final String errorClass;
    private final boolean retryable;
    private final Duration retryAfter;

    public ProviderException(String provider, int status, String errorClass, boolean retryable,
                             Duration retryAfter, String message) {
        super("provider '" + provider + "' " + (status > 0 ? "answered HTTP " + status : "call failed")
                + " (" + errorClass + "): " + message);
        this.provider = provider;
        this.status = status;
        this.errorClass = errorClass;
        this.retryable = retryable;
        this.retryAfter = retryAfter;
    }

    /** Classifies any failure of a call to {@code provider} (timeouts, resets, wrapped exceptions). */
    public static ProviderException classify(String provider, Throwable failure) {
        return HttpErrors.fromThrowable(provider, failure);
    }

    public String provider() {
        return provider;
    }

    /** HTTP status, or 0 when there was no answer (timeout, connection reset). */
    public int status() {
        return status;
    }

    /** Short class of the error for metrics and dead-letter headers: rate_limited, server_error, timeout, ... */
    public String errorClass() {
        return errorClass;
    }

    public boolean retryable() {
        return retryable;
    }

    /** The provider's Retry-After, when it sent one. */
    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }
}
