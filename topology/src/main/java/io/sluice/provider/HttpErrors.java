package io.sluice.provider;

import java.io.IOException;
import java.net.http.HttpHeaders;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.concurrent.CompletionException;

/** Shared classification of HTTP answers and transport failures into {@link ProviderException}s. */
final class HttpErrors {
    private HttpErrors() {}

    static ProviderException fromStatus(String provider, int status, HttpHeaders headers, String errorCode,
                                        String message) {
        boolean quota = "insufficient_quota".equals(errorCode);
        String errorClass = switch (status) {
            case 429 -> quota ? "quota_exhausted" : "rate_limited";
            case 529 -> "overloaded";
            case 400, 404, 422 -> "bad_request";
            case 401, 403 -> "unauthorized";
            default -> status >= 500 ? "server_error" : "http_" + status;
        };
        boolean retryable = (status == 429 && !quota) || status == 500 || status == 502 || status == 503
                || status == 504 || status == 529;
        return new ProviderException(provider, status, errorClass, retryable, retryAfter(headers), message);
    }

    static ProviderException fromThrowable(String provider, Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                ? failure.getCause() : failure;
        if (cause instanceof ProviderException e) {
            return e;
        }
        if (cause instanceof HttpTimeoutException) {
            return new ProviderException(provider, 0, "timeout", true, null, "no answer within the call timeout");
        }
        if (cause instanceof IOException) {
            return new ProviderException(provider, 0, "connection", true, null, cause.getClass().getSimpleName()
                    + (cause.getMessage() == null ? "" : ": " + cause.getMessage()));
        }
        return new ProviderException(provider, 0, "client_error", false, null, String.valueOf(cause));
    }

    private static Duration retryAfter(HttpHeaders headers) {
        var millis = headers.firstValue("retry-after-ms");
        if (millis.isPresent()) {
            try {
                return Duration.ofMillis((long) Double.parseDouble(millis.get()));
            } catch (NumberFormatException ignored) {
                // fall through to Retry-After
            }
        }
        return headers.firstValue("retry-after").flatMap(v -> {
            try {
                return java.util.Optional.of(Duration.ofMillis((long) (Double.parseDouble(v) * 1000)));
            } catch (NumberFormatException e) {
                return java.util.Optional.empty(); // HTTP-date form: ignore, use our own backoff
            }
        }).orElse(null);
    }
}
