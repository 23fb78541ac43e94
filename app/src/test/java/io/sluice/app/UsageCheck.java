package io.sluice.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sluice.config.SluiceConfig;
import io.sluice.config.SluiceConfigDef;
import io.sluice.topics.SluiceTopics;
import java.time.Duration;
import java.util.Map;

/** The accounting check of the crash tests: each tenant's usage row over HTTP equals the sums of its outcomes. */
final class UsageCheck {
    private UsageCheck() {}

    /** Reads the {@code outcomes} responses and rejections, then waits until every tenant's total row matches. */
    static void assertUsageEqualsTopics(SluiceConfig client, SluiceTopics topics, int httpPort, int outcomes) {
        ResultTopics results = ResultTopics.read(Map.of("bootstrap.servers",
                client.string(SluiceConfigDef.KAFKA_BOOTSTRAP_SERVERS)), topics, outcomes, Duration.ofSeconds(60));
        assertThat(results.responses().size() + results.rejections().size()).isEqualTo(outcomes);
        results.byTenant().forEach((tenant, expected) -> {
            String url = "http://127.0.0.1:" + httpPort + "/v1/usage/tenants/" + tenant + "?period=total";
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                var total = Http.get(url).json().path("rows").path(0);
                assertThat(ResultTopics.totals(total)).as(tenant).containsExactly(expected);
            });
        });
    }
}
