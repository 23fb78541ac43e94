package io.sluice.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sluice.config.SluiceConfigDef;
import io.sluice.schemas.PromptResponse;
import io.sluice.schemas.ResponseStatus;
import io.sluice.schemas.SluiceHeaders;
import io.sluice.testkit.PromptRequests;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Route chains and circuit breakers in the call stage. */
class FallbackStageTest {
    private static final Instant T = TopologyFixture.START;
    private static final String CHAIN = "default=openai:gpt-4o>anthropic:claude-sonnet-4-5";

    @RegisterExtension
    final TopologyFixtures topologies = new TopologyFixtures();
    private TopologyFixture fixture;

    private void start(Map<String, ?> overrides) {
        Map<String, Object> settings = new HashMap<>(Map.of(SluiceConfigDef.ROUTES, CHAIN));
        settings.putAll(overrides);
        fixture = topologies.start(settings);
    }

    private void send(int i) {
        fixture.send(PromptRequests.valid("acme", "user-" + i, T.plusMillis(i)).build());
    }

    @Test
    @DisplayName("falls back to the route's next target at once when the primary refuses the request")
    void fallsBackOnNonRetryableError() {
        start(Map.of());
        fixture.openai.thenFail(ScriptedProvider.failure(401, false));

        send(0);

        PromptResponse response = fixture.responses.readValue();
        assertThat(response.getStatus()).isEqualTo(ResponseStatus.FALLBACK);
        assertThat(response.getProvider()).isEqualTo("anthropic");
        assertThat(response.getModel()).isEqualTo("claude-sonnet-4-5");
        assertThat(response.getAttempts()).isEqualTo(2);
    }

    @Test
    @DisplayName("retries the primary up to the attempt limit, then falls back")
    void fallsBackAfterRetries() {
        start(Map.of(SluiceConfigDef.CALL_MAX_ATTEMPTS, 2));
        fixture.openai.thenFail(ScriptedProvider.failure(503, true)).thenFail(ScriptedProvider.failure(503, true));

        send(0);
        fixture.advance(Duration.ofMillis(500));

        PromptResponse response = fixture.responses.readValue();
        assertThat(response.getStatus()).isEqualTo(ResponseStatus.FALLBACK);
        assertThat(response.getAttempts()).isEqualTo(3);
        assertThat(fixture.openai.calls).hasValue(2);
    }

    @Test
    @DisplayName("opens the primary's circuit after an outage, skips it without an attempt, and closes it after recovery")
    void circuitOpensAndCloses() {
        start(Map.of(SluiceConfigDef.CALL_MAX_ATTEMPTS, 1, SluiceConfigDef.BREAKER_WINDOW, 4,
                // open long enough that a loaded machine cannot reach the skipped call only after it ended
                SluiceConfigDef.BREAKER_MIN_CALLS, 4, SluiceConfigDef.BREAKER_OPEN_MS, 2_000,
                SluiceConfigDef.BREAKER_HALF_OPEN_CALLS, 1));
        for (int i = 0; i < 4; i++) {
            fixture.openai.thenFail(ScriptedProvider.failure(503, true));
        }

        // Given an outage of the primary that fails four calls in a row
        for (int i = 0; i < 4; i++) {
            send(i);
        }
        assertThat(fixture.responses.readValuesToList()).extracting(PromptResponse::getStatus)
                .containsOnly(ResponseStatus.FALLBACK);

        // When the circuit is open, the primary is not called and costs no attempt
        send(4);
        PromptResponse skipped = fixture.responses.readValue();
        assertThat(skipped.getStatus()).isEqualTo(ResponseStatus.FALLBACK);
        assertThat(skipped.getAttempts()).isEqualTo(1);
        assertThat(fixture.openai.calls).hasValue(4);

        // Then, once the open period is over and the primary answers again, the circuit closes
        int[] next = {5};
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(200)).until(() -> {
            send(next[0]++);
            return fixture.responses.readValue().getStatus() == ResponseStatus.OK;
        });
        send(next[0]);
        assertThat(fixture.responses.readValue().getStatus()).isEqualTo(ResponseStatus.OK);
    }

    @Test
    @DisplayName("answers DEGRADED with the route's configured message when no target can answer")
    void answersDegradedWhenNothingCan() {
        start(Map.of("routes.degraded.default", "The assistant is busy; please try again in a few minutes."));
        fixture.openai.thenFail(ScriptedProvider.failure(401, false));
        fixture.anthropic.thenFail(ScriptedProvider.failure(401, false));

        send(0);

        PromptResponse response = fixture.responses.readValue();
        assertThat(response.getStatus()).isEqualTo(ResponseStatus.DEGRADED);
        assertThat(response.getContent()).startsWith("The assistant is busy");
        assertThat(response.getCostMicros()).isZero();
        assertThat(response.getAttempts()).isEqualTo(2);
        assertThat(fixture.deadLetters.isEmpty()).isTrue();
    }

    @Test
    @DisplayName("a degraded answer is not final: a resend of its id is a new attempt, judged by the limits and answered")
    void resendAfterDegradedAnswerIsANewAttempt() {
        start(Map.of("routes.degraded.default", "The assistant is busy; please try again in a few minutes.",
                SluiceConfigDef.LIMIT_USER_RPM, 2));
        fixture.openai.thenFail(ScriptedProvider.failure(401, false));
        fixture.anthropic.thenFail(ScriptedProvider.failure(401, false));
        io.sluice.schemas.PromptRequest request = PromptRequests.valid("acme", "alice", T).build();

        fixture.send(request);
        fixture.send(request); // the client tries again, as the degraded answer asks

        assertThat(fixture.responses.readValuesToList()).extracting(PromptResponse::getStatus)
                .containsExactly(ResponseStatus.DEGRADED, ResponseStatus.OK);
        // the resend was counted: alice's third request in the minute is over her limit of two
        fixture.send(PromptRequests.valid("acme", "alice", T.plusSeconds(1)).build());
        assertThat(fixture.rejected.readValuesToList()).extracting(r -> r.getReason().name())
                .containsExactly("RATE_LIMITED");
    }

    @Test
    @DisplayName("holds a call back while its provider's bulkhead is full, without spending an attempt")
    void bulkheadQueuesCalls() {
        start(Map.of(SluiceConfigDef.BULKHEAD_MAX_CALLS, 1));
        java.util.concurrent.CompletableFuture<io.sluice.provider.ProviderReply> first =
                new java.util.concurrent.CompletableFuture<>();
        fixture.openai.thenPending(first);

        send(0);
        send(1);
        fixture.advance(Duration.ofMillis(100));
        assertThat(fixture.openai.calls).hasValue(1);

        first.complete(ScriptedProvider.reply("gpt-4o", 10, 10));
        fixture.advance(Duration.ofMillis(100));

        assertThat(fixture.openai.calls).hasValue(2);
        assertThat(fixture.responses.readValuesToList()).extracting(PromptResponse::getAttempts).containsExactly(1, 1);
    }

    @Test
    @DisplayName("queues calls past the provider's own requests-per-minute quota instead of sending them")
    void providerQuotaQueuesCalls() {
        start(Map.of(SluiceConfigDef.OPENAI_RPM, 2));

        for (int i = 0; i < 3; i++) {
            send(i);
        }
        fixture.advance(Duration.ofSeconds(10));
        assertThat(fixture.openai.calls).hasValue(2);

        fixture.advance(Duration.ofSeconds(21)); // 30 s refill one request of a 2-per-minute quota
        assertThat(fixture.openai.calls).hasValue(3);
        assertThat(fixture.responses.readValuesToList()).extracting(PromptResponse::getAttempts)
                .containsExactly(1, 1, 1);
    }

    @Test
    @DisplayName("sends a canary's share of users, the same users every time, to the candidate, and rolls back at 0")
    void canarySplitsUsersStably() {
        start(Map.of("routes.canary.default", "anthropic:claude-haiku-4-5:30"));

        for (int round = 0; round < 2; round++) {
            for (int user = 0; user < 200; user++) {
                fixture.send(PromptRequests.valid("acme", "user-" + user, T.plusMillis(round * 1000 + user)).build());
            }
        }

        List<PromptResponse> responses = fixture.responses.readValuesToList();
        Map<String, java.util.Set<String>> variantsByUser = new HashMap<>();
        responses.forEach(r -> variantsByUser.computeIfAbsent(r.getUserId(), u -> new java.util.HashSet<>())
                .add(r.getVariant() + "/" + r.getModel()));
        assertThat(variantsByUser.values()).allSatisfy(v -> assertThat(v).hasSize(1));
        long canary = variantsByUser.values().stream().filter(v -> v.contains("canary/claude-haiku-4-5")).count();
        assertThat(canary).isBetween(40L, 80L); // 30% of 200 users, give or take the hash
    }

    @Test
    @DisplayName("sends nobody to the candidate when the canary percentage is 0")
    void canaryAtZeroRollsBack() {
        start(Map.of("routes.canary.default", "anthropic:claude-haiku-4-5:0"));

        for (int user = 0; user < 50; user++) {
            send(user);
        }

        assertThat(fixture.responses.readValuesToList()).extracting(PromptResponse::getModel).containsOnly("gpt-4o");
        assertThat(fixture.anthropic.calls).hasValue(0);
    }

    @Test
    @DisplayName("sends a prompt too long for the primary's context window to a larger model in the chain")
    void contextWindowFallback() {
        start(Map.of(SluiceConfigDef.SANITIZE_MAX_TOKENS, 200_000, SluiceConfigDef.SANITIZE_MAX_CHARS, 2_000_000,
                SluiceConfigDef.LIMIT_USER_TPM, 0, SluiceConfigDef.LIMIT_TENANT_TPM, 0,
                SluiceConfigDef.LIMIT_USER_TPD, 0, SluiceConfigDef.LIMIT_TENANT_TPD, 0));
        String longText = "lorem ipsum dolor sit amet ".repeat(28_000); // about 140k tokens: over 128k, under 200k

        fixture.send(PromptRequests.valid("acme", "alice", T)
                .setMessages(List.of(new io.sluice.schemas.ChatMessage("user", longText))).build());

        PromptResponse response = fixture.responses.readValue();
        assertThat(response.getModel()).isEqualTo("claude-sonnet-4-5");
        assertThat(response.getStatus()).isEqualTo(ResponseStatus.FALLBACK);
        assertThat(response.getAttempts()).isEqualTo(1);
        assertThat(fixture.openai.calls).hasValue(0);
    }

    @Test
    @DisplayName("dead-letters at once, not parked on a retry tier, a prompt too long for every model of its route")
    void tooLongForEveryModel() {
        start(Map.of(SluiceConfigDef.SANITIZE_MAX_TOKENS, 400_000, SluiceConfigDef.SANITIZE_MAX_CHARS, 4_000_000,
                SluiceConfigDef.INTAKE_MAX_RECORD_BYTES, 4 * 1024 * 1024,
                SluiceConfigDef.LIMIT_USER_TPM, 0, SluiceConfigDef.LIMIT_TENANT_TPM, 0,
                SluiceConfigDef.LIMIT_USER_TPD, 0, SluiceConfigDef.LIMIT_TENANT_TPD, 0,
                SluiceConfigDef.CALL_RETRY_TIERS, "30s,5m"));
        String longText = "lorem ipsum dolor sit amet ".repeat(56_000); // about 280k tokens: over every window

        fixture.send(PromptRequests.valid("acme", "alice", T)
                .setMessages(List.of(new io.sluice.schemas.ChatMessage("user", longText))).build());

        var deadLetter = fixture.deadLetters.readRecord();
        assertThat(SluiceHeaders.get(deadLetter.headers(), SluiceHeaders.DLQ_REASON)).isEqualTo("NON_RETRYABLE");
        assertThat(SluiceHeaders.get(deadLetter.headers(), SluiceHeaders.DLQ_ERROR_CLASS))
                .isEqualTo("no_usable_target");
        assertThat(fixture.retryTopic(1).isEmpty()).isTrue();
        assertThat(fixture.openai.calls).hasValue(0);
        assertThat(fixture.anthropic.calls).hasValue(0);
    }
}
