package io.sluice.provider;

import io.netty.handler.codec.DecoderException;
import io.vertx.core.VertxException;
import io.vertx.core.http.StreamResetException;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import java.util.function.UnaryOperator;

/** Shared classification of HTTP answers and transport failures into {@link ProviderException}s. */
final class HttpErrors {
    private HttpErrors() {}

    static ProviderException fromStatus(String provider, int status, UnaryOperator<String> headers, String errorCode,
                                        String message) {
        boolean quota = "insufficient_quota".equals(errorCode);
        String errorClass = switch (status) {
            case 429 -> quota ? "quota_exhausted" : "rate_limited";
            case 529 -> "overloaded";
            case 400, 404, 422 -> "bad_request";
            case 408 -> "timeout";
            case 401, 403 -> "unauthorized";
            default -> status >= 500 ? "server_error" : "http_" + status;
        };
        // every 5xx but 501 (Not Implemented) is the provider's trouble, including its edge's (Cloudflare's 520-524);
        // 408 is a request that took too long to arrive
        boolean retryable = (status == 429 && !quota) || status == 408 || (status >= 500 && status != 501);
        return new ProviderException(provider, status, errorClass, retryable, retryAfter(headers), message);
    }

    static ProviderException fromThrowable(String provider, Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                ? failure.getCause() : failure;
        if (cause instanceof ProviderException e) {
            return e;
        }
        if (cause instanceof ProviderHttp.BodyTooLarge e) {
            // the same call would likely answer the same again: the next target of the route, not a retry
            return new ProviderException(provider, e.status(), "response_too_large", false, null, e.getMessage());
        }
        if (cause instanceof ProviderHttp.Timeout) {
            return new ProviderException(provider, 0, "timeout", true, null, "no answer within the call timeout");
        }
        if (cause instanceof TimeoutException) {
            // the call stage's backstop: the transport did not end the call within its total timeout
            return new ProviderException(provider, 0, "timeout", true, null, "the call did not end within its timeout");
        }
        if (cause instanceof ProviderHttp.NoConnection e) {
            return new ProviderException(provider, 0, "connection", true, null, e.getMessage());
        }
        // Vert.x reports a connection closed or reset mid-call as a VertxException (HttpClosedException), a reset
        // HTTP/2 stream as StreamResetException and an unreadable HTTP message as Netty's DecoderException.
        if (cause instanceof IOException || cause instanceof VertxException || cause instanceof StreamResetException
                || cause instanceof DecoderException) {
            return new ProviderException(provider, 0, "connection", true, null, cause.getClass().getSimpleName()
                    + (cause.getMessage() == null ? "" : ": " + cause.getMessage()));
        }
        return new ProviderException(provider, 0, "client_error", false, null, String.valueOf(cause));
    }

    private static Duration retryAfter(UnaryOperator<String> headers) {
        String millis = headers.apply("retry-after-ms");
        if (millis != null) {
            try {
                return Duration.ofMillis((long) Double.parseDouble(millis.trim()));
            } catch (NumberFormatException ignored) {
                // fall through to Retry-After
            }
        }
        String seconds = headers.apply("retry-after");
        if (seconds == null) {
            return null;
        }
        try {
            return Duration.ofMillis((long) (Double.parseDouble(seconds.trim()) * 1000));
        } catch (NumberFormatException e) {
            return null; // HTTP-date form: ignore, use our own backoff
        }
    }
}
