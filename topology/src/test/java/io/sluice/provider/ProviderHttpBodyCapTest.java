package io.sluice.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** A provider (or whatever answers in its place) cannot fill the heap with an answer. */
class ProviderHttpBodyCapTest {
    private static final int CAP = 64 * 1024;
    private Vertx serverVertx;
    private HttpServer server;
    private ProviderHttp http;

    @BeforeEach
    void start() throws Exception {
        byte[] gzipBomb = gzip(new byte[50 * 1024 * 1024]);
        serverVertx = Vertx.vertx();
        server = serverVertx.createHttpServer().requestHandler(request -> request.body().onSuccess(b -> {
            var response = request.response();
            switch (request.path()) {
                case "/small" -> response.end("{\"ok\": true}");
                case "/announced" -> response.end(Buffer.buffer(new byte[CAP + 1]));
                case "/chunked" -> {
                    response.setChunked(true);
                    for (int i = 0; i < 100; i++) {
                        response.write(Buffer.buffer(new byte[8 * 1024]));
                    }
                    response.end();
                }
                default -> response.putHeader("Content-Encoding", "gzip").end(Buffer.buffer(gzipBomb));
            }
        })).listen(0).await(10, TimeUnit.SECONDS);
        http = new ProviderHttp(CAP);
    }

    @AfterEach
    void stop() throws Exception {
        http.close();
        serverVertx.close().await(10, TimeUnit.SECONDS);
    }

    private ProviderHttp.Answer post(String path) throws Exception {
        return http.endpoint(URI.create("http://localhost:" + server.actualPort() + path), false,
                Duration.ofSeconds(5)).post(Map.of(), new byte[0], CallTimeouts.of(Duration.ofSeconds(10), null))
                .get(20, TimeUnit.SECONDS);
    }

    @Test
    @DisplayName("reads an answer under the cap")
    void readsASmallAnswer() throws Exception {
        assertThat(new String(post("/small").body())).isEqualTo("{\"ok\": true}");
    }

    @Test
    @DisplayName("refuses an answer whose Content-Length, a chunked body or a gzip body decompressed is over the cap")
    void refusesAnswersOverTheCap() {
        for (String path : new String[] {"/announced", "/chunked", "/gzip-bomb"}) {
            assertThatThrownBy(() -> post(path)).as(path).isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOf(ProviderHttp.BodyTooLarge.class)
                    .hasMessageContaining("larger than 65536 bytes");
        }
        assertThat(HttpErrors.fromThrowable("openai", new ProviderHttp.BodyTooLarge(200, CAP)).errorClass())
                .isEqualTo("response_too_large");
    }

    private static byte[] gzip(byte[] data) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(data);
        }
        return out.toByteArray();
    }
}
