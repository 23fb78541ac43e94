package io.sluice.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.budget.BudgetProcessor;
import io.sluice.config.SluiceConfigDef;
import io.sluice.provider.ProviderReply;
import io.sluice.schemas.ChatMessage;
import io.sluice.schemas.PromptRequest;
import io.sluice.schemas.PromptResponse;
import io.sluice.schemas.RejectReason;
import io.sluice.schemas.RejectedRequest;
import io.sluice.schemas.ResponseStatus;
import io.sluice.schemas.SluiceHeaders;
import io.sluice.schemas.internal.BudgetLedger;
import io.sluice.testkit.PromptRequests;
import io.sluice.topics.SluiceTopics;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class SluiceTopologyTest {
    private static final Instant START = TopologyFixture.START;

    @RegisterExtension
    final TopologyFixtures topologies = new TopologyFixtures();

    private TopologyFixture fixture;
    private ScriptedProvider openai;
    private SluiceTopics topics;
    private TestOutputTopic<String, PromptResponse> responses;
    private TestOutputTopic<String, RejectedRequest> rejected;
    private TestOutputTopic<String, byte[]> deadLetters;

    private void start(Map<String, Object> overrides) {
        fixture = topologies.start(overrides);
        openai = fixture.openai;
        topics = fixture.topics;
        responses = fixture.responses;
        rejected = fixture.rejected;
        deadLetters = fixture.deadLetters;
    }


    private void send(PromptRequest request) {
        fixture.send(request);
    }

    private void advance(Duration duration) {
        fixture.advance(duration);
    }

    @Test
    @DisplayName("answers a valid request with a priced response keyed by its request id")
    void answersValidRequest() {
        start(Map.of());
        PromptRequest request = PromptRequests.valid("acme", "alice", START).build();

        send(request);

        TestRecord<String, PromptResponse> out = responses.readRecord();
        assertThat(out.key()).isEqualTo(request.getRequestId());
        PromptResponse response = out.value();
        assertThat(response.getStatus()).isEqualTo(ResponseStatus.OK);
        assertThat(response.getProvider()).isEqualTo("openai");
        assertThat(response.getModel()).isEqualTo("gpt-4o-mini");
        assertThat(response.getUsage().getInputTokens()).isEqualTo(1000);
        assertThat(response.getUsage().getOutputTokens()).isEqualTo(500);
        // gpt-4o-mini: 1000 x $0.15/M + 500 x $0.60/M = $0.00045 = 450 micro-dollars
        assertThat(response.getCostMicros()).isEqualTo(450);
        assertThat(response.getAttempts()).isEqualTo(1);
        assertThat(rejected.isEmpty()).isTrue();
        assertThat(deadLetters.isEmpty()).isTrue();
    }

    @Test
    @DisplayName("rejects a request with an empty message at sanitize, without calling a provider")
    void rejectsEmptyMessage() {
        start(Map.of());
        PromptRequest request = PromptRequests.valid("acme", "alice", START)
                .setMessages(List.of(new ChatMessage("user", "   "))).build();

        send(request);

        TestRecord<String, RejectedRequest> out = rejected.readRecord();
        assertThat(out.key()).isEqualTo(request.getRequestId());
        assertThat(out.value().getReason()).isEqualTo(RejectReason.EMPTY_MESSAGES);
        assertThat(out.value().getStage()).isEqualTo("sanitize");
        assertThat(openai.calls).hasValue(0);
        assertThat(responses.isEmpty()).isTrue();
    }

    @Test
    @DisplayName("rejects a request for a route that is not configured, naming the known routes")
    void rejectsUnknownRoute() {
        start(Map.of());
        PromptRequest request = PromptRequests.valid("acme", "alice", START).setRoute("gpt-9").build();

        send(request);

        RejectedRequest rejection = rejected.readValue();
        assertThat(rejection.getReason()).isEqualTo(RejectReason.UNKNOWN_ROUTE);
        assertThat(rejection.getDetail()).contains("gpt-9").contains("default");
    }

    @Test
    @DisplayName("retries a retryable provider failure after a backoff and answers with the attempt count")
    void retriesRetryableFailure() {
        start(Map.of());
        openai.thenFail(ScriptedProvider.failure(503, true));
        PromptRequest request = PromptRequests.valid("acme", "alice", START).build();

        send(request);
        assertThat(responses.isEmpty()).isTrue();
        advance(Duration.ofMillis(300));

        PromptResponse response = responses.readValue();
        assertThat(response.getAttempts()).isEqualTo(2);
        assertThat(openai.calls).hasValue(2);
    }

    @Test
    @DisplayName("dead-letters a non-retryable failure at once with the request and why in headers")
    void deadLettersNonRetryableFailure() {
        start(Map.of());
        openai.thenFail(ScriptedProvider.failure(401, false));
        PromptRequest request = PromptRequests.valid("acme", "alice", START).build();

        send(request);

        TestRecord<String, byte[]> letter = deadLetters.readRecord();
        assertThat(letter.key()).isEqualTo(request.getRequestId());
        PromptRequest dead = topics.deadLetter().valueSerde().deserializer().deserialize(topics.deadLetter().name(),
                letter.value());
        assertThat(dead.getRequestId()).isEqualTo(request.getRequestId());
        assertThat(dead.getMessages()).isEqualTo(request.getMessages());
        assertThat(SluiceHeaders.get(letter.headers(), SluiceHeaders.DLQ_REASON)).isEqualTo("NON_RETRYABLE");
        assertThat(SluiceHeaders.get(letter.headers(), SluiceHeaders.DLQ_STATUS)).isEqualTo("401");
        assertThat(SluiceHeaders.get(letter.headers(), SluiceHeaders.DLQ_ATTEMPTS)).isEqualTo("1");
        assertThat(openai.calls).hasValue(1);
        assertThat(responses.isEmpty()).isTrue();
    }

    @Test
    @DisplayName("dead-letters a request whose retryable failures outlast the maximum attempts, with no retry tiers")
    void deadLettersAfterMaxAttempts() {
        start(Map.of(SluiceConfigDef.CALL_MAX_ATTEMPTS, 3, SluiceConfigDef.CALL_RETRY_TIERS, ""));
        for (int i = 0; i < 3; i++) {
            openai.thenFail(ScriptedProvider.failure(503, true));
        }

        send(PromptRequests.valid("acme", "alice", START).build());
        advance(Duration.ofSeconds(2));

        TestRecord<String, byte[]> letter = deadLetters.readRecord();
        assertThat(SluiceHeaders.get(letter.headers(), SluiceHeaders.DLQ_REASON)).isEqualTo("RETRIES_EXHAUSTED");
        assertThat(SluiceHeaders.get(letter.headers(), SluiceHeaders.DLQ_ATTEMPTS)).isEqualTo("3");
        // every attempt's error, oldest first, and when the failures started and ended
        List<String> attempts = new java.util.ArrayList<>();
        letter.headers().headers(SluiceHeaders.DLQ_ATTEMPT).forEach(h -> attempts.add(new String(h.value())));
        assertThat(attempts).hasSize(3);
        assertThat(attempts.get(0)).contains("\"attempt\":1").contains("\"target\":\"openai:gpt-4o-mini\"")
                .contains("\"status\":503").contains("\"errorClass\":\"server_error\"");
        assertThat(attempts.get(2)).contains("\"attempt\":3");
        assertThat(Long.parseLong(SluiceHeaders.get(letter.headers(), SluiceHeaders.DLQ_FIRST_FAILURE_AT)))
                .isLessThanOrEqualTo(Long.parseLong(SluiceHeaders.get(letter.headers(),
                        SluiceHeaders.DLQ_LAST_FAILURE_AT)));
        assertThat(SluiceHeaders.get(letter.headers(), SluiceHeaders.DLQ_APP_VERSION)).isNotBlank();
        assertThat(openai.calls).hasValue(3);
        assertThat(responses.isEmpty()).isTrue();
    }

    @Test
    @DisplayName("does not call the provider again for a duplicate delivered while the first is in flight")
    void ignoresDuplicateWhileInFlight() {
        start(Map.of());
        CompletableFuture<ProviderReply> pending = new CompletableFuture<>();
        openai.thenPending(pending);
        PromptRequest request = PromptRequests.valid("acme", "alice", START).build();

        send(request);
        send(request);
        pending.complete(ScriptedProvider.reply("gpt-4o-mini", 10, 10));
        advance(Duration.ofMillis(40));

        assertThat(responses.readValuesToList()).hasSize(1);
        assertThat(openai.calls).hasValue(1);
    }

    @Test
    @DisplayName("does not call or charge again for a resend of a request already answered")
    void ignoresResendOfAnsweredRequest() {
        start(Map.of());
        PromptRequest request = PromptRequests.valid("acme", "alice", START).build();

        send(request);
        send(request);

        assertThat(responses.readValuesToList()).hasSize(1);
        assertThat(rejected.isEmpty()).isTrue();
        assertThat(deadLetters.isEmpty()).isTrue();
        assertThat(openai.calls).hasValue(1);
        BudgetLedger day = acmeToday();
        assertThat(day.getSpentMicros()).isEqualTo(450);
        assertThat(day.getReservedMicros()).isZero();
    }

    @Test
    @DisplayName("a resend of a refused request is judged again, answered once the limit allows, and then final")
    void resendOfRefusedRequestIsANewAttempt() {
        start(Map.of(SluiceConfigDef.LIMIT_USER_RPM, 1));
        PromptRequest first = PromptRequests.valid("acme", "alice", START).build();
        send(first);
        PromptRequest refused = PromptRequests.valid("acme", "alice", START.plusSeconds(1)).build();
        send(refused);
        assertThat(rejected.readRecordsToList()).singleElement().satisfies(r -> {
            assertThat(r.key()).isEqualTo(refused.getRequestId());
            assertThat(r.value().getReason()).isEqualTo(RejectReason.RATE_LIMITED);
        });

        fixture.clockAt(START.plus(Duration.ofMinutes(3)));
        send(refused); // the client retries with the same id once the minute is over
        send(refused); // and once more: now the id has an answer, which is final

        assertThat(responses.readKeyValuesToList()).extracting(kv -> kv.key)
                .as("the first request's answer, then the retried one's, once")
                .containsExactly(first.getRequestId(), refused.getRequestId());
        assertThat(rejected.readRecordsToList()).isEmpty();
        assertThat(openai.calls).hasValue(2);
    }

    @Test
    @DisplayName("refuses a request whose deadline has passed, uncounted; a late copy of an answered one is not refused")
    void deadlinePassedIsRefusedUnlessACopy() {
        start(Map.of(SluiceConfigDef.LIMIT_USER_RPM, 1));
        PromptRequest late = PromptRequests.valid("acme", "alice", START).setDeadline(START.minusSeconds(1)).build();
        send(late);
        assertThat(rejected.readValuesToList()).singleElement().satisfies(r -> {
            assertThat(r.getRequestId()).isEqualTo(late.getRequestId());
            assertThat(r.getReason()).isEqualTo(RejectReason.DEADLINE_EXCEEDED);
            assertThat(r.getStage()).isEqualTo("deadline");
        });

        // alice's one request a minute was not used by the late one
        PromptRequest answered = PromptRequests.valid("acme", "alice", START)
                .setDeadline(START.plusSeconds(30)).build();
        send(answered);
        fixture.clockAt(START.plusSeconds(60));
        send(answered); // resent once its deadline has passed, as a client that lost the answer would

        assertThat(responses.readKeyValuesToList()).extracting(kv -> kv.key)
                .containsExactly(answered.getRequestId());
        assertThat(rejected.isEmpty()).as("the answered request has its answer as its only outcome").isTrue();
        assertThat(openai.calls).hasValue(1);
    }

    @Test
    @DisplayName("a copy delivered while the first is in flight is neither refused nor counted by the user's limit")
    void copyInFlightPassesTheLimitUncounted() {
        start(Map.of(SluiceConfigDef.LIMIT_USER_RPM, 2));
        CompletableFuture<ProviderReply> pending = new CompletableFuture<>();
        openai.thenPending(pending);
        PromptRequest request = PromptRequests.valid("acme", "alice", START).build();

        send(request);
        send(request); // the same request id again, as a client retrying with its idempotency key sends it
        assertThat(rejected.isEmpty()).as("the copy is not refused: its request would have two outcomes").isTrue();
        pending.complete(ScriptedProvider.reply("gpt-4o-mini", 10, 10));
        advance(Duration.ofMillis(40));
        assertThat(responses.readValuesToList()).extracting(PromptResponse::getRequestId)
                .containsExactly(request.getRequestId());

        // the copy used none of alice's two requests a minute: one more is answered, the one after is refused
        send(PromptRequests.valid("acme", "alice", START.plusSeconds(1)).build());
        send(PromptRequests.valid("acme", "alice", START.plusSeconds(2)).build());
        assertThat(responses.readValuesToList()).hasSize(1);
        assertThat(rejected.readValuesToList()).extracting(RejectedRequest::getReason)
                .containsExactly(RejectReason.RATE_LIMITED);
    }

    @Test
    @DisplayName("reserves once for a copy delivered while the first is in flight, and settles once")
    void reservesOnceForCopyInFlight() {
        start(Map.of());
        CompletableFuture<ProviderReply> pending = new CompletableFuture<>();
        openai.thenPending(pending);
        PromptRequest request = PromptRequests.valid("acme", "alice", START).build();

        send(request);
        send(request);
        pending.complete(ScriptedProvider.reply("gpt-4o-mini", 1000, 500));
        advance(Duration.ofMillis(40));

        assertThat(responses.readValuesToList()).hasSize(1);
        BudgetLedger day = acmeToday();
        assertThat(day.getSpentMicros()).isEqualTo(450);
        assertThat(day.getReservedMicros()).isZero();
    }

    @Test
    @DisplayName("keeps the model's raw output and offers it escaped for HTML")
    void escapesModelOutputForHtml() {
        start(Map.of());
        openai.thenAnswer(new ProviderReply("gpt-4o-mini", "<script>alert('x')</script> & \"quotes\"", "stop", 5, 5,
                0, 0));

        send(PromptRequests.valid("acme", "alice", START).build());

        PromptResponse response = responses.readValue();
        assertThat(response.getContent()).isEqualTo("<script>alert('x')</script> & \"quotes\"");
        assertThat(response.getContentHtml())
                .isEqualTo("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &#34;quotes&#34;");
    }

    private BudgetLedger acmeToday() {
        return fixture.driver.<String, BudgetLedger>getKeyValueStore(BudgetProcessor.LEDGERS)
                .get("acme|day|2026-11-22");
    }
}
