package io.sluice.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sluice.call.CallTelemetry;
import io.sluice.call.TenantTags;
import io.sluice.config.SluiceConfigDef;
import io.sluice.provider.ProviderReply;
import io.sluice.record.DeadLetters;
import io.sluice.record.Rejections;
import io.sluice.schemas.PromptRequest;
import io.sluice.schemas.PromptResponse;
import io.sluice.schemas.RejectReason;
import io.sluice.schemas.RejectedRequest;
import io.sluice.testkit.PromptRequests;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.ToLongFunction;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The meters an operator reads off the call stage, against the records the same requests produced. */
class CallMetricsTest {
    private static final Instant T = TopologyFixture.START;
    private static final String ROUTES = "default=openai:gpt-4o>anthropic:claude-sonnet-4-5,solo=openai:gpt-4o-mini";

    @RegisterExtension
    final TopologyFixtures topologies = new TopologyFixtures();
    private SimpleMeterRegistry metrics;
    private TopologyFixture fixture;

    @BeforeEach
    void start() {
        fixture = topologies.start(Map.of(SluiceConfigDef.ROUTES, ROUTES, SluiceConfigDef.CALL_MAX_ATTEMPTS, 2,
                SluiceConfigDef.CALL_BACKOFF_MS, 50, SluiceConfigDef.CALL_RETRY_TIERS, "",
                SluiceConfigDef.METRICS_TENANT_TAGS_MAX, 2));
        metrics = fixture.meters;
    }

    private PromptRequest send(String route) {
        return send("acme", route);
    }

    private PromptRequest send(String tenant, String route) {
        PromptRequest request = PromptRequests.valid(tenant, "alice", T).setRoute(route).build();
        fixture.send(request);
        return request;
    }

    @Test
    @DisplayName("counts every provider attempt, the billed tokens and cost, and each request's outcome once")
    void metersMatchWhatTheRequestsProduced() {
        // Given an answer, a refusal that falls back, and a provider outage on a route with no fallback
        fixture.openai.thenAnswer(ScriptedProvider.reply("gpt-4o", 1_200, 300))
                .thenFail(ScriptedProvider.failure(401, false))
                .thenFail(ScriptedProvider.failure(503, true))
                .thenFail(ScriptedProvider.failure(503, true));
        fixture.anthropic.thenAnswer(new ProviderReply("claude-sonnet-4-5", "An answer.", "stop", 800, 200, 500, 50));

        // When one request is sent for each
        send("default");
        send("default");
        send("solo");
        fixture.advance(Duration.ofMillis(500));

        // Then every attempt is timed under its provider, model and outcome
        List<PromptResponse> responses = fixture.responses.readValuesToList();
        assertThat(responses).extracting(r -> r.getStatus().name()).containsExactly("OK", "FALLBACK");
        assertThat(fixture.deadLetters.readValuesToList()).hasSize(1);
        assertThat(attempts("openai", "gpt-4o", "ok")).isEqualTo(1);
        assertThat(attempts("openai", "gpt-4o", "unauthorized")).isEqualTo(1);
        assertThat(attempts("anthropic", "claude-sonnet-4-5", "ok")).isEqualTo(1);
        assertThat(attempts("openai", "gpt-4o-mini", "server_error")).isEqualTo(2);
        assertThat(metrics.find(CallTelemetry.PROVIDER_LATENCY_METRIC).timers().stream().mapToLong(Timer::count)
                .sum()).isEqualTo(fixture.openai.calls.get() + fixture.anthropic.calls.get());

        // And the token and cost counters are the sums of what the responses say was billed
        for (String[] target : List.of(new String[] {"openai", "gpt-4o"},
                new String[] {"anthropic", "claude-sonnet-4-5"})) {
            List<PromptResponse> byTarget = responses.stream()
                    .filter(r -> r.getProvider().equals(target[0]) && r.getModel().equals(target[1])).toList();
            assertThat(tokens(target, "input")).isEqualTo(sum(byTarget, r -> r.getUsage().getInputTokens()));
            assertThat(tokens(target, "cached_input"))
                    .isEqualTo(sum(byTarget, r -> r.getUsage().getCachedInputTokens()));
            assertThat(tokens(target, "output")).isEqualTo(sum(byTarget, r -> r.getUsage().getOutputTokens()));
            assertThat(tokens(target, "reasoning")).isEqualTo(sum(byTarget, r -> r.getUsage().getReasoningTokens()));
            assertThat(metrics.get(CallTelemetry.COST_METRIC).tag("provider", target[0]).tag("model", target[1])
                    .tag("tenant", "acme").counter().count())
                    .isEqualTo(sum(byTarget, PromptResponse::getCostMicros)).isPositive();
        }
        assertThat(tokens(new String[] {"anthropic", "claude-sonnet-4-5"}, "cached_input")).isEqualTo(500);

        // And each request is counted once, by route and how it ended, with its end-to-end latency
        assertThat(requests("default", "ok")).isEqualTo(1);
        assertThat(requests("default", "fallback")).isEqualTo(1);
        assertThat(requests("solo", "dead_letter")).isEqualTo(1);
        assertThat(counted(CallTelemetry.REQUESTS_METRIC)).isEqualTo(3);
        assertThat(metrics.get(CallTelemetry.REQUEST_LATENCY_METRIC).tag("route", "solo")
                .tag("status", "dead_letter").timer().count()).isEqualTo(1);
        assertThat(metrics.get(DeadLetters.METRIC).tag("reason", "RETRIES_EXHAUSTED")
                .tag("error_class", "server_error").tag("provider", "openai").counter().count()).isEqualTo(1);
    }

    @Test
    @DisplayName("tags tokens and cost with the tenant for the first metrics.tenant.tags.max tenants, later ones 'other'")
    void tagsTokensAndCostByTenantUpToTheCap() {
        // Given an instance that names at most 2 tenants in its meters, and replies of known size
        fixture.openai.thenAnswer(ScriptedProvider.reply("gpt-4o", 100, 10))
                .thenAnswer(ScriptedProvider.reply("gpt-4o", 200, 20))
                .thenAnswer(ScriptedProvider.reply("gpt-4o", 300, 30))
                .thenAnswer(ScriptedProvider.reply("gpt-4o", 400, 40))
                .thenAnswer(ScriptedProvider.reply("gpt-4o", 500, 50));

        // When four tenants are answered, the first one twice
        for (String tenant : List.of("acme", "globex", "initech", "umbrella", "acme")) {
            send(tenant, "default");
            fixture.advance(Duration.ofMillis(100));
        }

        // Then the first two tenants have series of their own, the later two share 'other'
        List<PromptResponse> responses = fixture.responses.readValuesToList();
        assertThat(responses).hasSize(5);
        assertThat(tenantTokens("acme", "input")).isEqualTo(100 + 500);
        assertThat(tenantTokens("globex", "input")).isEqualTo(200);
        assertThat(tenantTokens(TenantTags.OTHER, "input")).isEqualTo(300 + 400);
        assertThat(tenantTokens(TenantTags.OTHER, "output")).isEqualTo(30 + 40);
        assertThat(metrics.find(CallTelemetry.TOKENS_METRIC).counters().stream().filter(c -> c.count() > 0))
                .extracting(c -> c.getId().getTag("tenant")).containsOnly("acme", "globex", TenantTags.OTHER);
        // and the cost is split the same way, summing to what the responses say was billed
        Map<String, Double> cost = new java.util.HashMap<>();
        metrics.find(CallTelemetry.COST_METRIC).counters().stream().filter(c -> c.count() > 0)
                .forEach(c -> cost.merge(c.getId().getTag("tenant"), c.count(), Double::sum));
        assertThat(cost).containsOnlyKeys("acme", "globex", TenantTags.OTHER);
        assertThat(cost.get(TenantTags.OTHER)).isEqualTo(sum(responses.stream().filter(r ->
                r.getTenantId().equals("initech") || r.getTenantId().equals("umbrella")).toList(),
                PromptResponse::getCostMicros)).isPositive();
        assertThat(cost.values().stream().mapToDouble(Double::doubleValue).sum())
                .isEqualTo(sum(responses, PromptResponse::getCostMicros));
    }

    @Test
    @DisplayName("counts rejections by reason and stage, and records that cannot be read as dead letters")
    void countsRejectionsAndUnreadableRecords() {
        // Given a request for a route that does not exist, and a record that is not a request at all
        send("no-such-route");
        fixture.driver.createInputTopic(fixture.topics.requests().name(), new StringSerializer(),
                new ByteArraySerializer()).pipeInput("poison", new byte[] {0, 0, 0, 0, 42, 1, 2});

        // Then the rejection the producer reads is the one counted
        List<RejectedRequest> rejected = fixture.rejected.readValuesToList();
        assertThat(rejected).extracting(RejectedRequest::getReason).containsExactly(RejectReason.UNKNOWN_ROUTE);
        assertThat(metrics.get(Rejections.METRIC).tag("reason", "UNKNOWN_ROUTE").tag("stage", "sanitize")
                .counter().count()).isEqualTo(1);
        assertThat(metrics.get(DeadLetters.METRIC).tag("reason", "DESERIALIZATION_ERROR").counter().count())
                .isEqualTo(1);
        // and the call stage never saw either
        assertThat(counted(CallTelemetry.REQUESTS_METRIC)).isZero();
    }

    private long attempts(String provider, String model, String outcome) {
        return metrics.get(CallTelemetry.PROVIDER_LATENCY_METRIC).tag("provider", provider).tag("model", model)
                .tag("outcome", outcome).timer().count();
    }

    private double tokens(String[] target, String kind) {
        return metrics.get(CallTelemetry.TOKENS_METRIC).tag("provider", target[0]).tag("model", target[1])
                .tag("kind", kind).counter().count();
    }

    private double tenantTokens(String tenant, String kind) {
        return metrics.get(CallTelemetry.TOKENS_METRIC).tag("tenant", tenant).tag("kind", kind).counters().stream()
                .mapToDouble(io.micrometer.core.instrument.Counter::count).sum();
    }

    private double requests(String route, String status) {
        return metrics.get(CallTelemetry.REQUESTS_METRIC).tag("route", route).tag("status", status).counter().count();
    }

    /** Series of the counter that counted anything (earlier tests' series are added to this registry at zero). */
    private long counted(String name) {
        return metrics.find(name).counters().stream().filter(c -> c.count() > 0).count();
    }

    private static double sum(List<PromptResponse> responses, ToLongFunction<PromptResponse> field) {
        return responses.stream().mapToLong(field).sum();
    }
}
