package io.sluice.provider;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.Http2Settings;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP transport of every provider connector: Vert.x's event-loop client on two event-loop threads. One pool per
 * provider, kept alive and reused; HTTPS negotiates HTTP/2 by ALPN where the server offers it (one connection carries
 * many calls), and a plain {@code http://} base URL speaks HTTP/1.1 unless {@code cleartextHttp2} asks for h2c with
 * prior knowledge. It never retries and never follows redirects. A call's {@link CallTimeouts} are enforced here: one
 * that gets no connection in time fails before anything is sent, and one that has no full answer in time after its
 * request went out is reset and fails as a timeout.
 */
final class ProviderHttp implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ProviderHttp.class);
    /** Connections per provider for HTTP/1.1; the bulkhead, not this, bounds the calls in flight. */
    private static final int HTTP1_CONNECTIONS = 20_000;
    /**
     * Calls multiplexed on one HTTP/2 connection at most, whatever more the server allows. Netty visits every active
     * stream of a connection each time its flow-control or channel writability changes, so a connection with
     * thousands of streams costs the event loop more per call than several with a few hundred each.
     */
    static final int HTTP2_STREAMS_PER_CONNECTION = 200;
    /**
     * HTTP/2 connections per provider: enough for 25,000 calls at once even where the provider caps each connection
     * at 100 streams (as public APIs behind CDNs do); they are opened only as the calls in flight need them.
     */
    static final int HTTP2_CONNECTIONS = 256;
    /**
     * HTTP/2 flow-control windows the client grants (per stream, and per connection): large enough that thousands of
     * small answers in flight never exhaust them, since each exhaustion and refill makes Netty revisit every stream.
     */
    static final int HTTP2_STREAM_WINDOW = 1 << 20;
    static final int HTTP2_CONNECTION_WINDOW = 32 << 20;

    /** The default cap on an answer's (decompressed) body: far above any chat completion, far below the heap. */
    public static final int DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024;

    private final Vertx vertx;
    private final int maxBodyBytes;

    public ProviderHttp() {
        this(DEFAULT_MAX_BODY_BYTES);
    }

    /** A transport that refuses answers whose body, decompressed, is larger than {@code maxBodyBytes}. */
    public ProviderHttp(int maxBodyBytes) {
        this.maxBodyBytes = maxBodyBytes;
        // Netty's epoll transport where it loads (Linux x86-64): fewer system calls and less work a wake-up than the
        // JDK's selector for the same calls; elsewhere Vert.x quietly takes the JDK's, so the reason is logged here
        this.vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2).setWorkerPoolSize(1)
                .setInternalBlockingPoolSize(1).setPreferNativeTransport(true));
        if (!vertx.isNativeTransportEnabled()) {
            log.info("Provider calls use the JDK's selector, not Netty's epoll transport: {}",
                    String.valueOf(vertx.unavailableNativeTransportCause()));
        }
    }

    /** Whether the event loops run on Netty's epoll transport rather than the JDK's selector. */
    boolean nativeTransport() {
        return vertx.isNativeTransportEnabled();
    }

    /** Why epoll did not load; null when it did. */
    Throwable nativeTransportUnavailable() {
        return vertx.unavailableNativeTransportCause();
    }

    /** A client for one provider at {@code endpoint}. */
    public Endpoint endpoint(URI endpoint, boolean cleartextHttp2, Duration connectTimeout) {
        boolean tls = "https".equalsIgnoreCase(endpoint.getScheme());
        HttpClientOptions options = new HttpClientOptions()
                .setKeepAlive(true)
                .setTcpNoDelay(true)
                .setConnectTimeout((int) connectTimeout.toMillis())
                .setDecompressionSupported(true)
                .setMaxRedirects(0);
        if (tls) {
            options.setSsl(true).setUseAlpn(true).setProtocolVersion(HttpVersion.HTTP_2);
        } else if (cleartextHttp2) {
            options.setProtocolVersion(HttpVersion.HTTP_2).setHttp2ClearTextUpgrade(false);
        }
        options.setHttp2MultiplexingLimit(HTTP2_STREAMS_PER_CONNECTION)
                .setHttp2ConnectionWindowSize(HTTP2_CONNECTION_WINDOW)
                .setInitialSettings(new Http2Settings().setInitialWindowSize(HTTP2_STREAM_WINDOW));
        HttpClientAgent client = vertx.createHttpClient(options, new PoolOptions()
                .setHttp1MaxSize(HTTP1_CONNECTIONS).setHttp2MaxSize(HTTP2_CONNECTIONS).setMaxWaitQueueSize(-1));
        return new Endpoint(client, endpoint, tls);
    }

    @Override
    public void close() {
        try {
            vertx.close().await(10, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("the provider HTTP client did not stop within 10 s", e);
        }
    }

    /** A full HTTP answer; {@code header} looks a response header up by case-insensitive name (null when absent). */
    public record Answer(int status, UnaryOperator<String> header, byte[] body) {}

    /**
     * Reads the body as it arrives, and resets the call as soon as it grows past the cap (or announces that it
     * will): a provider, a proxy or a compressed body must not be able to fill the heap.
     */
    private Future<Answer> read(HttpClientRequest request, HttpClientResponse response) {
        Promise<Answer> answer = Promise.promise();
        String length = response.getHeader("content-length");
        if (length != null && length.matches("\\d{1,18}") && Long.parseLong(length) > maxBodyBytes) {
            request.reset();
            return Future.failedFuture(new BodyTooLarge(response.statusCode(), maxBodyBytes));
        }
        Buffer body = Buffer.buffer();
        response.handler(chunk -> {
            if (body.length() + chunk.length() > maxBodyBytes) {
                answer.tryFail(new BodyTooLarge(response.statusCode(), maxBodyBytes)); // before the reset's own error
                request.reset();
            } else {
                body.appendBuffer(chunk);
            }
        });
        response.exceptionHandler(answer::tryFail);
        response.endHandler(v -> answer.tryComplete(new Answer(response.statusCode(), response.headers()::get,
                body.getBytes())));
        return answer.future();
    }

    /** Thrown for an answer whose body is larger than the transport's cap. */
    public static final class BodyTooLarge extends Exception {
        private final int status;

        BodyTooLarge(int status, int maxBodyBytes) {
            super("the answer's body is larger than " + maxBodyBytes + " bytes (call.max.response.bytes)", null,
                    false, false);
            this.status = status;
        }

        public int status() {
            return status;
        }
    }

    /** Thrown for a call that got no connection within its total timeout: its request was never sent. */
    public static final class NoConnection extends Exception {
        NoConnection(long totalMs) {
            super("no connection to the provider within " + totalMs + " ms; the request was not sent", null, false,
                    false);
        }
    }

    /** Thrown for a call that had no full answer within its timeout. */
    public static final class Timeout extends Exception {
        Timeout() {
            super("no answer within the call timeout", null, false, false);
        }
    }

    /** One provider's client: POSTs JSON to a fixed URL. */
    public final class Endpoint {
        private final HttpClientAgent client;
        private final String host;
        private final int port;
        private final boolean tls;
        private final String path;

        private Endpoint(HttpClientAgent client, URI uri, boolean tls) {
            this.client = client;
            this.host = uri.getHost();
            this.port = uri.getPort() > 0 ? uri.getPort() : tls ? 443 : 80;
            this.tls = tls;
            this.path = uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
        }

        /**
         * POSTs {@code body}; completes with the answer whatever its status, or fails on transport faults: {@link
         * NoConnection} when no connection came within the total timeout (nothing was sent), {@link Timeout} when
         * the answer did not come within its timeout from the request's going out, or the total's end.
         */
        public CompletableFuture<Answer> post(Map<String, String> headers, byte[] body, CallTimeouts timeouts) {
            CompletableFuture<Answer> answer = new CompletableFuture<>();
            long started = System.nanoTime();
            long totalMs = timeouts.total().toMillis();
            // Vert.x fails the request with a TimeoutException if the pool has no stream for it by then
            RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setHost(host).setPort(port)
                    .setSsl(tls).setURI(path).setFollowRedirects(false).setConnectTimeout(Math.max(1, totalMs));
            headers.forEach(options::putHeader);
            client.request(options)
                    .recover(failure -> Future.failedFuture(failure instanceof TimeoutException
                            ? new NoConnection(totalMs) : failure))
                    .compose(request -> {
                        // the answer's time starts now that the request goes out, within what is left of the total
                        long waitedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
                        long answerMs = Math.min(timeouts.answer().toMillis(), totalMs - waitedMs);
                        long timer = vertx.setTimer(Math.max(1, answerMs),
                                id -> answer.completeExceptionally(new Timeout()));
                        // a timeout resets the stream (HTTP/2) or closes the connection (HTTP/1.1)
                        answer.whenComplete((a, f) -> {
                            vertx.cancelTimer(timer);
                            if (f instanceof Timeout) {
                                request.reset();
                            }
                        });
                        return request.send(Buffer.buffer(body)).compose(response -> read(request, response));
                    })
                    .onComplete(result -> {
                        if (result.succeeded()) {
                            answer.complete(result.result());
                        } else {
                            answer.completeExceptionally(result.cause());
                        }
                    });
            return answer;
        }
    }
}
