package io.sluice.provider;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.http.Http2Settings;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpVersion;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The HTTP/2 transport against a real h2c server that, like public APIs, caps the streams of each connection. */
class ProviderHttpTest {
    private static final int SERVER_STREAM_CAP = 100;
    private static final int CALLS = 1_000;
    private static final long HOLD_AT_MOST_MS = 15_000;

    private Vertx serverVertx;
    private HttpServer server;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger maxInFlight = new AtomicInteger();
    private final Set<Object> connections = ConcurrentHashMap.newKeySet();
    private final Set<HttpVersion> versions = ConcurrentHashMap.newKeySet();
    private final List<HttpServerRequest> held = new ArrayList<>();

    @BeforeEach
    void startServer() throws Exception {
        serverVertx = Vertx.vertx();
        server = serverVertx.createHttpServer(new HttpServerOptions().setHttp2ClearTextEnabled(true)
                        .setInitialSettings(new Http2Settings().setMaxConcurrentStreams(SERVER_STREAM_CAP)))
                .requestHandler(request -> request.body().onSuccess(body -> {
                    connections.add(request.connection());
                    versions.add(request.version());
                    maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
                    // every call is held until all of them are here at once (or the deadline), so how many the
                    // server saw together depends on the client alone, not on how fast this machine sends them
                    boolean all;
                    synchronized (held) {
                        held.add(request);
                        all = held.size() == CALLS;
                    }
                    if (all) {
                        answerHeld();
                    }
                }));
        server.listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
        serverVertx.setTimer(HOLD_AT_MOST_MS, id -> {
            answerHeld();
            serverVertx.setPeriodic(50, tick -> answerHeld()); // from now on each call is answered as it comes
        });
    }

    private void answerHeld() {
        List<HttpServerRequest> ready;
        synchronized (held) {
            ready = new ArrayList<>(held);
            held.clear();
        }
        ready.forEach(this::answer);
    }

    private void answer(HttpServerRequest request) {
        inFlight.decrementAndGet();
        request.response().putHeader("content-type", "application/json").end("{\"ok\":true}");
    }

    @AfterEach
    void stopServer() throws Exception {
        serverVertx.close().await(10, TimeUnit.SECONDS);
    }

    @Test
    @DisplayName("1,000 calls at once reach a provider that allows 100 streams per connection, over several connections")
    void manyCallsAtOnceOverSeveralConnections() throws Exception {
        int calls = CALLS;
        try (ProviderHttp http = new ProviderHttp()) {
            ProviderHttp.Endpoint endpoint = http.endpoint(URI.create("http://127.0.0.1:" + server.actualPort()
                    + "/v1/chat/completions"), true, Duration.ofSeconds(5));
            List<CompletableFuture<ProviderHttp.Answer>> answers = new ArrayList<>();
            for (int i = 0; i < calls; i++) {
                answers.add(endpoint.post(Map.of("content-type", "application/json"),
                        "{}".getBytes(StandardCharsets.UTF_8), CallTimeouts.of(Duration.ofSeconds(30), null)));
            }
            CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);

            assertThat(answers).allSatisfy(answer -> assertThat(answer.join().status()).isEqualTo(200));
            assertThat(versions).containsExactly(HttpVersion.HTTP_2);
            // every call was at the server at the same time: none waited for another's stream to end
            assertThat(maxInFlight.get()).isEqualTo(calls);
            // which takes at least calls / cap connections; the old pool of 4 connections let only 400 through
            assertThat(connections.size()).isGreaterThanOrEqualTo(calls / SERVER_STREAM_CAP);
        }
    }

    @Test
    @DisplayName("on Linux x86-64 the client's event loops run on epoll (the native library is packaged and loads)")
    void nativeTransportOnLinux() {
        org.junit.jupiter.api.Assumptions.assumeTrue(System.getProperty("os.name").equals("Linux")
                && System.getProperty("os.arch").equals("amd64"), "epoll is packaged for Linux x86-64 only");
        try (ProviderHttp http = new ProviderHttp()) {
            assertThat(http.nativeTransport()).as("epoll unavailable: %s", http.nativeTransportUnavailable())
                    .isTrue();
        }
    }
}
