package io.sluice.call;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.provider.PriceTable;
import io.sluice.provider.ProviderException;
import io.sluice.schemas.DeadLetterReason;
import io.sluice.retry.RetryTiers;
import io.sluice.schemas.PromptRequest;
import io.sluice.schemas.PromptResponse;
import io.sluice.schemas.ResponseStatus;
import io.sluice.schemas.internal.InFlightCall;
import io.sluice.testkit.PromptRequests;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The call stage's decisions on their own: what follows a failed attempt, and what becomes of a request no one answered. */
class CallDecisionsTest {
    private static final long NOW = 1_780_000_000_000L;
    private static final ProviderException OVERLOADED = error(503, true, null);
    private static final ProviderException BAD_REQUEST = error(400, false, null);

    private static ProviderException error(int status, boolean retryable, Duration retryAfter) {
        return new ProviderException("openai", status, status == 400 ? "bad_request" : "server_error", retryable,
                retryAfter, "HTTP " + status);
    }

    private static CallSettings settings(Map<String, String> degraded) {
        return new CallSettings(Duration.ofSeconds(30), 3, Duration.ofMillis(100), 2_000, 10_000,
                Duration.ofMillis(5), Duration.ofHours(1), Duration.ofSeconds(30), Duration.ofSeconds(10),
                Duration.ofSeconds(10), degraded, 256, true, PriceTable.builtin());
    }

    private static InFlightCall call(PromptRequest request, int target, int targetAttempts, int tier) {
        return new InFlightCall(request, Instant.ofEpochMilli(NOW), targetAttempts, null, target, targetAttempts, tier,
                null, new ArrayList<>());
    }

    private static PromptRequest request(Instant deadline) {
        return PromptRequests.valid("acme", "u-1", Instant.ofEpochMilli(NOW)).setRoute("chat").setDeadline(deadline)
                .build();
    }

    @Test
    @DisplayName("a retryable failure is retried on the same target, after at least the provider's Retry-After")
    void retriesTheSameTarget() {
        RetryPolicy policy = new RetryPolicy(settings(Map.of()));
        RetryPolicy.Next next = policy.afterFailure(call(request(null), 0, 1, 0), error(429, true,
                Duration.ofSeconds(2)), 2, NOW);
        assertThat(next).isEqualTo(new RetryPolicy.Next.SameTarget(NOW + 2_000));
    }

    @Test
    @DisplayName("a target out of attempts, or one that refused the request (4xx), gives way to the next target")
    void fallsBackToTheNextTarget() {
        RetryPolicy policy = new RetryPolicy(settings(Map.of()));
        assertThat(policy.afterFailure(call(request(null), 0, 3, 0), OVERLOADED, 2, NOW))
                .isInstanceOf(RetryPolicy.Next.NextTarget.class);
        assertThat(policy.afterFailure(call(request(null), 0, 1, 0), BAD_REQUEST, 2, NOW))
                .isInstanceOf(RetryPolicy.Next.NextTarget.class);
    }

    @Test
    @DisplayName("the last target's failure gives up: retries exhausted, non-retryable, or past the deadline")
    void givesUpAtTheEndOfTheChain() {
        RetryPolicy policy = new RetryPolicy(settings(Map.of()));
        assertThat(policy.afterFailure(call(request(null), 1, 3, 0), OVERLOADED, 2, NOW))
                .isEqualTo(new RetryPolicy.Next.GiveUp(DeadLetterReason.RETRIES_EXHAUSTED));
        assertThat(policy.afterFailure(call(request(null), 1, 1, 0), BAD_REQUEST, 2, NOW))
                .isEqualTo(new RetryPolicy.Next.GiveUp(DeadLetterReason.NON_RETRYABLE));
        // a retry due after the deadline is not made
        assertThat(policy.afterFailure(call(request(Instant.ofEpochMilli(NOW + 1_000)), 0, 1, 0),
                error(429, true, Duration.ofSeconds(5)), 2, NOW))
                .isEqualTo(new RetryPolicy.Next.GiveUp(DeadLetterReason.DEADLINE_EXCEEDED));
    }

    private static GiveUpLadder ladder(Map<String, ResponseCache.Mode> cache, Map<String, String> degraded,
                                       List<Duration> tiers) {
        return new GiveUpLadder(new CallStage(null, null, settings(degraded), null, null, null,
                new ResponseCache(cache, Duration.ofHours(1)), new RetryTiers(tiers, "sluice.retry"),
                UnaryOperator.identity(), null, null));
    }

    private static Optional<PromptResponse> cachedAnswer(PromptRequest request) {
        return Optional.of(PromptResponse.newBuilder(Answers.degraded(request, "from yesterday", 0, NOW - 86_400_000L))
                .setProvider("openai").setModel("gpt-4o-mini").build());
    }

    @Test
    @DisplayName("giving up goes down the ladder: cache, then degraded answer, then retry tier, then dead letter")
    void ladderOrder() {
        InFlightCall call = call(request(null), 1, 3, 0);
        CallState fromCache = ladder(Map.of("chat", ResponseCache.Mode.FALLBACK), Map.of("chat", "busy"),
                List.of(Duration.ofMinutes(1)))
                .decide(call, DeadLetterReason.RETRIES_EXHAUSTED, OVERLOADED, NOW, CallDecisionsTest::cachedAnswer);
        assertThat(fromCache).isInstanceOfSatisfying(CallState.Answered.class, answered -> {
            assertThat(answered.response().getStatus()).isEqualTo(ResponseStatus.CACHED_FALLBACK);
            assertThat(answered.remembered()).isTrue();
        });

        CallState degraded = ladder(Map.of(), Map.of("chat", "busy"), List.of(Duration.ofMinutes(1)))
                .decide(call, DeadLetterReason.RETRIES_EXHAUSTED, OVERLOADED, NOW, r -> Optional.empty());
        assertThat(degraded).isInstanceOfSatisfying(CallState.Answered.class, answered -> {
            assertThat(answered.response().getStatus()).isEqualTo(ResponseStatus.DEGRADED);
            assertThat(answered.remembered()).as("a resend gets a real try later").isFalse();
        });

        CallState parked = ladder(Map.of(), Map.of(), List.of(Duration.ofMinutes(1), Duration.ofMinutes(10)))
                .decide(call, DeadLetterReason.RETRIES_EXHAUSTED, OVERLOADED, NOW, r -> Optional.empty());
        assertThat(parked).isEqualTo(new CallState.Parked(1, NOW + 60_000, DeadLetterReason.RETRIES_EXHAUSTED));

        CallState lastTierUsed = ladder(Map.of(), Map.of(), List.of(Duration.ofMinutes(1)))
                .decide(call(request(null), 1, 3, 1), DeadLetterReason.RETRIES_EXHAUSTED, OVERLOADED, NOW,
                        r -> Optional.empty());
        assertThat(lastTierUsed).isEqualTo(new CallState.DeadLettered(DeadLetterReason.RETRIES_EXHAUSTED, OVERLOADED));
    }

    @Test
    @DisplayName("the request's own fault, a processing error, or a tier due past the deadline goes to the dead-letter topic")
    void deadLetters() {
        GiveUpLadder ladder = ladder(Map.of("chat", ResponseCache.Mode.FALLBACK), Map.of("chat", "busy"),
                List.of(Duration.ofMinutes(1)));
        assertThat(ladder.decide(call(request(null), 1, 1, 0), DeadLetterReason.PROCESSING_ERROR, OVERLOADED, NOW,
                CallDecisionsTest::cachedAnswer)).isInstanceOf(CallState.DeadLettered.class);

        GiveUpLadder noFallbacks = ladder(Map.of(), Map.of(), List.of(Duration.ofMinutes(1)));
        assertThat(noFallbacks.decide(call(request(null), 1, 1, 0), DeadLetterReason.NON_RETRYABLE, BAD_REQUEST, NOW,
                r -> Optional.empty())).isEqualTo(new CallState.DeadLettered(DeadLetterReason.NON_RETRYABLE, BAD_REQUEST));
        assertThat(noFallbacks.decide(call(request(Instant.ofEpochMilli(NOW + 30_000)), 1, 3, 0),
                DeadLetterReason.RETRIES_EXHAUSTED, OVERLOADED, NOW, r -> Optional.empty()))
                .isInstanceOf(CallState.DeadLettered.class);
    }
}
