package io.sluice.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** HTTP/2 without TLS (h2c), so clients that multiplex can put many calls on one connection. */
class Http2Test {
    @RegisterExtension
    static final SimulatorExtension sim = new SimulatorExtension(
            SimulatorSettings.defaults().withLatency(Latency.fixed(1)));

    @Test
    void upgradeFromHttp11ServesHttp2() throws Exception {
        // Given a JDK client preferring HTTP/2, which offers h2c by the Upgrade header
        try (HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build()) {
            // When it lists the models
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(
                    URI.create(sim.get().openAiBaseUrl() + "/models")).build(), HttpResponse.BodyHandlers.ofString());

            // Then the answer came over HTTP/2
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.version()).isEqualTo(HttpClient.Version.HTTP_2);
        }
    }

    @Test
    void priorKnowledgeServesChatCompletionsOverHttp2() throws Exception {
        // Given an OkHttp client speaking HTTP/2 from the first byte
        OkHttpClient client = new OkHttpClient.Builder().protocols(List.of(Protocol.H2_PRIOR_KNOWLEDGE)).build();
        Request request = new Request.Builder().url(sim.get().openAiBaseUrl() + "/chat/completions")
                .post(RequestBody.create(RawHttp.chatBody("m", "hi"), MediaType.get("application/json")))
                .build();

        // When it asks for a chat completion
        try (Response response = client.newCall(request).execute()) {
            // Then the answer is a normal completion over HTTP/2
            assertThat(response.protocol()).isEqualTo(Protocol.H2_PRIOR_KNOWLEDGE);
            assertThat(response.code()).isEqualTo(200);
            assertThat(response.body().string()).contains("\"object\":\"chat.completion\"");
        } finally {
            client.dispatcher().executorService().shutdown();
            client.connectionPool().evictAll();
        }
    }
}
