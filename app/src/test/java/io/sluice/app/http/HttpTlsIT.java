package io.sluice.app.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sluice.app.Http;
import io.sluice.app.TestCluster;
import io.sluice.config.SluiceConfig;
import io.sluice.config.SluiceConfigDef;
import io.sluice.testkit.PromptRequests;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The HTTP API over HTTPS: two instances, a query relayed from one to the other over TLS, plain HTTP refused. */
class HttpTlsIT {
    private static final int TENANTS = 12;

    @RegisterExtension
    static final TestCluster cluster = new TestCluster();

    @TempDir
    Path dir;

    @Test
    @DisplayName("serves HTTPS with the configured certificate, relays between instances over TLS, refuses plain HTTP")
    void httpsBetweenInstances() throws Exception {
        Path store = dir.resolve("http.p12");
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "sluice", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=sluice",
                "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-validity", "2", "-storetype", "PKCS12", "-keystore",
                store.toString(), "-storepass", "store-secret", "-keypass", "store-secret").inheritIO().start();
        assertThat(keytool.waitFor()).isZero();
        SluiceConfig first = cluster.config("tls", Map.of(SluiceConfigDef.HTTP_TLS_KEYSTORE, store.toString(),
                SluiceConfigDef.HTTP_TLS_KEYSTORE_PASSWORD, "store-secret", SluiceConfigDef.TOPICS_PARTITIONS, 6));
        HttpClient https = HttpClient.newBuilder().sslContext(trusting(store)).build();
        TestCluster.withTwoInstances(first, (a, b, tracker, traffic) -> {
            for (int t = 0; t < TENANTS; t++) {
                traffic.send(PromptRequests.valid("tenant-" + t, "user"));
            }
            traffic.awaitOutcomes(Duration.ofSeconds(90));
            assertThat(a.httpUrl()).startsWith("https://");

            // Then every tenant's usage answers through a, over HTTPS, including those b owns (relayed over TLS)
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                for (int t = 0; t < TENANTS; t++) {
                    HttpResponse<String> usage = https.send(HttpRequest.newBuilder(URI.create(a.httpUrl()
                                    + "/v1/usage/tenants/tenant-" + t + "?period=total")).build(),
                            HttpResponse.BodyHandlers.ofString());
                    assertThat(usage.statusCode()).as(usage.body()).isEqualTo(200);
                    assertThat(usage.body()).contains("\"requests\":1");
                }
            });
            // (b owns some of them: asked for its own part only, it has their rows)
            int ownedByB = 0;
            for (int t = 0; t < TENANTS; t++) {
                String local = https.send(HttpRequest.newBuilder(URI.create(b.httpUrl() + "/v1/usage/tenants/tenant-"
                        + t + "?period=total&local=true")).build(), HttpResponse.BodyHandlers.ofString()).body();
                ownedByB += local.contains("\"requests\":1") ? 1 : 0;
            }
            assertThat(ownedByB).as("tenants whose query a relayed to b").isBetween(1, TENANTS - 1);
            // and plain HTTP gets no answer
            assertThat(Http.get(a.httpUrl().replace("https://", "http://") + "/health/ready").status())
                    .isNotEqualTo(200);
        });
    }

    private static SSLContext trusting(Path store) throws Exception {
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            keys.load(in, "store-secret".toCharArray());
        }
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(keys);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        return context;
    }
}
