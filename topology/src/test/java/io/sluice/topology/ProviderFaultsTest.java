package io.sluice.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sluice.config.SluiceConfig;
import io.sluice.config.SluiceConfigDef;
import io.sluice.provider.ProviderClients;
import io.sluice.schemas.GenerationParams;
import io.sluice.schemas.PromptRequest;
import io.sluice.schemas.PromptResponse;
import io.sluice.schemas.ResponseStatus;
import io.sluice.schemas.SluiceHeaders;
import io.sluice.schemas.internal.InFlightCall;
import io.sluice.simulator.ErrorRates;
import io.sluice.simulator.Latency;
import io.sluice.simulator.ProviderSimulator;
import io.sluice.simulator.SimulatorSettings;
import io.sluice.testkit.PromptRequests;
import io.sluice.topics.TopologyNames;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The call stage with Sluice's real OpenAI and Anthropic connectors against the provider simulator, which answers
 * in each provider's wire format with the faults under test. Two simulators, so the primary can fail while the
 * fallback answers: {@code openai} is served by {@link #primary}, {@code anthropic} by {@link #secondary}. The
 * calls take real time; the driver's wall clock moves in small steps while a test waits for an outcome.
 */
class ProviderFaultsTest {
    private static final String CHAIN = "default=openai:gpt-4o-mini>anthropic:claude-sonnet-4-5,"
            + "claude=anthropic:claude-sonnet-4-5>openai:gpt-4o-mini,solo=openai:gpt-4o-mini";
    private static final SimulatorSettings HEALTHY = SimulatorSettings.defaults().withLatency(Latency.fixed(5));
    static ProviderSimulator primary;
    static ProviderSimulator secondary;

    @RegisterExtension
    final TopologyFixtures topologies = new TopologyFixtures();
    private TopologyFixture fixture;
    private ProviderClients providers;
    private final AtomicInteger users = new AtomicInteger();

    @BeforeAll
    static void startSimulators() {
        primary = ProviderSimulator.start(HEALTHY, 0);
        secondary = ProviderSimulator.start(HEALTHY, 0);
    }

    @AfterAll
    static void stopSimulators() {
        primary.close();
        secondary.close();
    }

    @AfterEach
    void closeProviders() {
        if (providers != null) {
            providers.close();
        }
        // every call of the case went over the protocol this class is about
        String protocol = cleartextHttp2() ? "h2" : "http/1.1";
        for (ProviderSimulator simulator : List.of(primary, secondary)) {
            assertThat(simulator.stats().byProtocol().keySet()).isSubsetOf(protocol);
        }
    }

    @BeforeEach
    void healthy() {
        for (ProviderSimulator simulator : List.of(primary, secondary)) {
            simulator.settings(HEALTHY);
            simulator.resetStats();
        }
    }

    /** HTTP/1.1 here; {@link ProviderFaultsH2cTest} runs every case again over h2c. */
    boolean cleartextHttp2() {
        return false;
    }

    private void start(Map<String, ?> overrides) {
        Map<String, Object> settings = new HashMap<>(Map.of(SluiceConfigDef.ROUTES, CHAIN,
                SluiceConfigDef.CALL_MAX_ATTEMPTS, 2, SluiceConfigDef.CALL_BACKOFF_MS, 50,
                SluiceConfigDef.CALL_POLL_INTERVAL_MS, 1L, SluiceConfigDef.CALL_RETRY_TIERS, "",
                SluiceConfigDef.OPENAI_BASE_URL, primary.openAiBaseUrl(),
                SluiceConfigDef.ANTHROPIC_BASE_URL, secondary.anthropicBaseUrl(),
                SluiceConfigDef.LIMIT_USER_RPM, 10_000L,
                SluiceConfigDef.PROVIDERS_CLEARTEXT_HTTP2, cleartextHttp2()));
        settings.putAll(overrides);
        providers = ProviderClients.from(SluiceConfig.of(settings), null);
        fixture = topologies.start(settings, providers);
    }

    private PromptRequest send(String route) {
        return send(route, b -> b);
    }

    private PromptRequest send(String route, UnaryOperator<PromptRequest.Builder> change) {
        PromptRequest request = change.apply(PromptRequests.valid("acme", "user-" + users.incrementAndGet(),
                fixture.now()).setRoute(route)).build();
        fixture.send(request);
        return request;
    }

    /** Moves the driver's clock {@code stepMs} at a time, in step with real time, until {@code done}. */
    private void waitUntil(BooleanSupplier done, long stepMs) {
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(5)).until(() -> {
            fixture.advance(Duration.ofMillis(stepMs));
            return done.getAsBoolean();
        });
    }

    private PromptResponse awaitResponse() {
        waitUntil(() -> !fixture.responses.isEmpty(), 10);
        return fixture.responses.readValue();
    }

    private TestRecord<String, byte[]> awaitDeadLetter() {
        waitUntil(() -> !fixture.deadLetters.isEmpty(), 10);
        return fixture.deadLetters.readRecord();
    }

    private static void fail(ProviderSimulator simulator, UnaryOperator<ErrorRates> errors) {
        simulator.settings(HEALTHY.withErrors(errors.apply(ErrorRates.none())));
    }

    static Stream<Arguments> retryableFaults() {
        return Stream.of(
                Arguments.of("500", (UnaryOperator<ErrorRates>) e -> e.withHttp500(1), "server_error"),
                Arguments.of("503", (UnaryOperator<ErrorRates>) e -> e.withHttp503(1), "server_error"),
                Arguments.of("connection reset", (UnaryOperator<ErrorRates>) e -> e.withConnectionReset(1),
                        "connection_reset"),
                Arguments.of("malformed JSON", (UnaryOperator<ErrorRates>) e -> e.withMalformed(1),
                        "malformed_response"),
                Arguments.of("timeout", (UnaryOperator<ErrorRates>) e -> e.withTimeout(1), "timeout"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("retryableFaults")
    @DisplayName("retries a retryable fault on the primary up to the attempt limit, then answers from the fallback")
    void retriesThenFallsBack(String fault, UnaryOperator<ErrorRates> errors, String errorClass) {
        start(Map.of(SluiceConfigDef.CALL_TIMEOUT_MS, 400));
        fail(primary, errors);

        send("default");
        PromptResponse response = awaitResponse();

        assertThat(response.getStatus()).isEqualTo(ResponseStatus.FALLBACK);
        assertThat(response.getProvider()).isEqualTo("anthropic");
        assertThat(response.getAttempts()).isEqualTo(3);
        assertThat(primary.stats().totalRequests()).isEqualTo(2);
        assertThat(secondary.stats().totalRequests()).isEqualTo(1);
        assertThat(fixture.deadLetters.isEmpty()).isTrue();
    }

    @Test
    @DisplayName("retries Anthropic's 529 overloaded, then falls back to OpenAI")
    void retriesOverloadedThenFallsBack() {
        start(Map.of());
        fail(secondary, e -> e.withOverloaded529(1));

        send("claude");
        PromptResponse response = awaitResponse();

        assertThat(response.getStatus()).isEqualTo(ResponseStatus.FALLBACK);
        assertThat(response.getProvider()).isEqualTo("openai");
        assertThat(secondary.stats().status(529)).isEqualTo(2);
    }

    @Test
    @DisplayName("waits at least the Retry-After of a 429 before calling again")
    void honoursRetryAfter() {
        start(Map.of());
        primary.settings(HEALTHY.withErrors(ErrorRates.none().withRateLimited429(1)).withRetryAfterSeconds(1));

        // Given a first call answered 429 with Retry-After: 1
        send("solo");
        waitUntil(() -> failuresInFlight() == 1, 1);
        primary.settings(HEALTHY);
        long failedAt = fixture.now().toEpochMilli();

        // When 900 ms have passed, no second call was made
        fixture.advance(Duration.ofMillis(900));
        assertThat(primary.stats().totalRequests()).isEqualTo(1);

        // Then after the full second the call is made and answered
        PromptResponse response = awaitResponse();
        assertThat(response.getStatus()).isEqualTo(ResponseStatus.OK);
        assertThat(response.getAttempts()).isEqualTo(2);
        assertThat(fixture.now().toEpochMilli() - failedAt).isGreaterThanOrEqualTo(1_000);
    }

    private int failuresInFlight() {
        try (var all = fixture.driver.<String, InFlightCall>getKeyValueStore(TopologyNames.IN_FLIGHT).all()) {
            return all.hasNext() ? all.next().value.getFailures().size() : 0;
        }
    }

    static Stream<Arguments> permanentFaults() {
        return Stream.of(
                Arguments.of("400", (UnaryOperator<ErrorRates>) e -> e.withBadRequest400(1), "400"),
                Arguments.of("401", (UnaryOperator<ErrorRates>) e -> e.withUnauthorized401(1), "401"),
                Arguments.of("insufficient_quota", (UnaryOperator<ErrorRates>) e -> e.withQuota429(1), "429"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("permanentFaults")
    @DisplayName("does not retry a permanent error: dead-letters the request after one attempt")
    void deadLettersPermanentErrorsAtOnce(String fault, UnaryOperator<ErrorRates> errors, String status) {
        start(Map.of(SluiceConfigDef.CALL_RETRY_TIERS, "1s"));
        fail(primary, errors);

        PromptRequest request = send("solo");
        TestRecord<String, byte[]> letter = awaitDeadLetter();

        assertThat(letter.key()).isEqualTo(request.getRequestId());
        assertThat(SluiceHeaders.get(letter.headers(), SluiceHeaders.DLQ_REASON)).isEqualTo("NON_RETRYABLE");
        assertThat(SluiceHeaders.get(letter.headers(), SluiceHeaders.DLQ_STATUS)).isEqualTo(status);
        assertThat(SluiceHeaders.get(letter.headers(), SluiceHeaders.DLQ_ATTEMPTS)).isEqualTo("1");
        assertThat(primary.stats().totalRequests()).isEqualTo(1);
        assertThat(fixture.responses.isEmpty()).isTrue();
    }

    @Test
    @DisplayName("opens the primary's circuit in an outage, skips it without attempts, and closes it after recovery")
    void breakerOpensAndCloses() {
        start(Map.of(SluiceConfigDef.CALL_MAX_ATTEMPTS, 1, SluiceConfigDef.BREAKER_WINDOW, 4,
                SluiceConfigDef.BREAKER_MIN_CALLS, 4, SluiceConfigDef.BREAKER_OPEN_MS, 500,
                SluiceConfigDef.BREAKER_HALF_OPEN_CALLS, 1));
        primary.outage(true);

        // Given four calls failed by the primary's outage, each answered by the fallback
        for (int i = 0; i < 4; i++) {
            send("default");
            assertThat(awaitResponse().getStatus()).isEqualTo(ResponseStatus.FALLBACK);
        }
        assertThat(primary.stats().totalRequests()).isEqualTo(4);

        // When the circuit is open, the primary is not called and no attempt is spent on it
        send("default");
        PromptResponse skipped = awaitResponse();
        assertThat(skipped.getStatus()).isEqualTo(ResponseStatus.FALLBACK);
        assertThat(skipped.getAttempts()).isEqualTo(1);
        assertThat(primary.stats().totalRequests()).isEqualTo(4);

        // Then after recovery and the open period (resilience4j's clock is the real one), a trial call succeeds
        // and the circuit closes
        primary.outage(false);
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            send("default");
            return awaitResponse().getStatus() == ResponseStatus.OK;
        });
        send("default");
        assertThat(awaitResponse().getStatus()).isEqualTo(ResponseStatus.OK);
    }

    @Test
    @DisplayName("answers CACHED_FALLBACK with an earlier answer to the same prompt when every target fails")
    void cacheFallback() {
        start(Map.of("routes.cache.default", "fallback", SluiceConfigDef.CALL_MAX_ATTEMPTS, 1));
        send("default");
        PromptResponse first = awaitResponse();
        assertThat(first.getStatus()).isEqualTo(ResponseStatus.OK);

        // Given both providers down
        primary.outage(true);
        secondary.outage(true);

        // When the same prompt comes again from another user
        PromptRequest again = send("default");
        PromptResponse cached = awaitResponse();

        // Then it gets the earlier answer, marked, and costs nothing
        assertThat(cached.getRequestId()).isEqualTo(again.getRequestId());
        assertThat(cached.getStatus()).isEqualTo(ResponseStatus.CACHED_FALLBACK);
        assertThat(cached.getContent()).isEqualTo(first.getContent());
        assertThat(cached.getAttempts()).isEqualTo(2);
        assertThat(cached.getCostMicros()).isZero();
        assertThat(fixture.deadLetters.isEmpty()).isTrue();
    }

    @Test
    @DisplayName("answers a deterministic repeat from the cache without a provider call on a route whose cache is on")
    void cacheHit() {
        start(Map.of("routes.cache.default", "on"));
        UnaryOperator<PromptRequest.Builder> deterministic = b -> b.setParams(new GenerationParams(64, 0.0, null,
                List.of()));
        send("default", deterministic);
        PromptResponse first = awaitResponse();

        PromptResponse repeat;
        send("default", deterministic);
        repeat = awaitResponse();
        send("default", b -> b); // temperature 0.2: not deterministic, so it is called
        PromptResponse sampled = awaitResponse();

        assertThat(first.getStatus()).isEqualTo(ResponseStatus.OK);
        assertThat(repeat.getStatus()).isEqualTo(ResponseStatus.CACHED);
        assertThat(repeat.getContent()).isEqualTo(first.getContent());
        assertThat(repeat.getAttempts()).isZero();
        assertThat(sampled.getStatus()).isEqualTo(ResponseStatus.OK);
        assertThat(primary.stats().totalRequests()).isEqualTo(2);
    }

    @Test
    @DisplayName("sends close to the canary percentage of users to the candidate, and records the variant")
    void canarySplit() {
        start(Map.of("routes.canary.default", "anthropic:claude-haiku-4-5:20"));
        int requests = 300;
        for (int i = 0; i < requests; i++) {
            send("default");
        }
        waitUntil(() -> fixture.responses.getQueueSize() >= requests, 10);
        List<PromptResponse> responses = fixture.responses.readValuesToList();

        long canary = responses.stream().filter(r -> "canary".equals(r.getVariant())).count();
        assertThat(canary / (double) requests).isBetween(0.13, 0.27);
        assertThat(responses).filteredOn(r -> "canary".equals(r.getVariant()))
                .allSatisfy(r -> assertThat(r.getProvider()).isEqualTo("anthropic"));
        assertThat(secondary.stats().totalRequests()).isEqualTo(canary);
        assertThat(primary.stats().totalRequests()).isEqualTo(requests - canary);
    }

    @Test
    @DisplayName("dead-letters a request whose deadline passes while its provider is slow")
    void deadlineExpiry() {
        start(Map.of());
        primary.settings(HEALTHY.withLatency(Latency.fixed(3_000)));

        PromptRequest request = send("solo", b -> b.setDeadline(fixture.now().plusMillis(400)));
        TestRecord<String, byte[]> letter = awaitDeadLetter();

        assertThat(letter.key()).isEqualTo(request.getRequestId());
        assertThat(SluiceHeaders.get(letter.headers(), SluiceHeaders.DLQ_REASON)).isEqualTo("DEADLINE_EXCEEDED");
        assertThat(fixture.responses.isEmpty()).isTrue();
    }
}
