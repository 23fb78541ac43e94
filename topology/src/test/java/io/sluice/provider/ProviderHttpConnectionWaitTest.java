package io.sluice.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.NetServer;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A provider whose HTTP/2 connections are slow to open, as on a loaded machine or behind a slow handshake: a proxy in
 * front of an h2c server holds each new connection for a while before passing it on, so the client's connection is
 * not usable (no SETTINGS from the server) until then. The wait must not be charged to the provider's answer time.
 */
class ProviderHttpConnectionWaitTest {
    private static final long CONNECTION_OPENS_AFTER_MS = 2_000;

    private Vertx serverVertx;
    private NetServer proxy;
    private ProviderHttp http;
    private final AtomicInteger requests = new AtomicInteger();

    @BeforeEach
    void start() throws Exception {
        serverVertx = Vertx.vertx();
        HttpServer server = serverVertx.createHttpServer(new HttpServerOptions().setHttp2ClearTextEnabled(true))
                .requestHandler(request -> request.body().onSuccess(body -> {
                    requests.incrementAndGet();
                    request.response().putHeader("content-type", "application/json").end("{\"ok\":true}");
                }))
                .listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
        proxy = serverVertx.createNetServer().connectHandler(client -> {
            client.pause();
            serverVertx.setTimer(CONNECTION_OPENS_AFTER_MS, id -> serverVertx.createNetClient()
                    .connect(server.actualPort(), "127.0.0.1")
                    .onSuccess(backend -> {
                        client.pipeTo(backend);
                        backend.pipeTo(client);
                    }));
        }).listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
        http = new ProviderHttp();
    }

    @AfterEach
    void stop() throws Exception {
        http.close();
        serverVertx.close().await(10, TimeUnit.SECONDS);
    }

    private ProviderHttp.Answer post(CallTimeouts timeouts) throws Exception {
        return http.endpoint(URI.create("http://127.0.0.1:" + proxy.actualPort() + "/v1/chat/completions"), true,
                Duration.ofSeconds(5)).post(Map.of("content-type", "application/json"), "{}".getBytes(), timeouts)
                .get(20, TimeUnit.SECONDS);
    }

    @Test
    @DisplayName("gives a call its whole answer time from when its request goes out, however long the connection took")
    void answerTimeStartsWhenTheRequestGoesOut() throws Exception {
        // Given an answer timeout shorter than the connection takes to open
        CallTimeouts timeouts = CallTimeouts.of(Duration.ofMillis(1_500), null);

        // When the call is made on a new connection
        ProviderHttp.Answer answer = post(timeouts);

        // Then it is answered: the wait for the connection was not the provider's time
        assertThat(answer.status()).isEqualTo(200);
        assertThat(requests.get()).isEqualTo(1);
    }

    @Test
    @DisplayName("fails a call that gets no connection within its total timeout as not sent, and never sends it")
    void noConnectionWithinTheTotalIsNotSent() {
        // Given a total (a near deadline) that ends before the connection opens
        CallTimeouts timeouts = new CallTimeouts(Duration.ofMillis(300), Duration.ofMillis(400));

        // When the call is made, then it fails for want of a connection, not as the provider's timeout
        assertThatThrownBy(() -> post(timeouts)).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(ProviderHttp.NoConnection.class)
                .hasMessageContaining("the request was not sent");
        // and the provider never sees it, even once the connection is open
        await().during(Duration.ofMillis(CONNECTION_OPENS_AFTER_MS + 500)).atMost(Duration.ofSeconds(10))
                .until(() -> requests.get() == 0);
    }
}
