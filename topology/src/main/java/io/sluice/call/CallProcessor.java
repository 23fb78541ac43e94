package io.sluice.call;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.Metrics;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.sluice.config.RouteTable;
import io.sluice.limit.TokenEstimate;
import io.sluice.provider.PriceTable;
import io.sluice.provider.ProviderClient;
import io.sluice.provider.ProviderException;
import io.sluice.provider.ProviderReply;
import io.sluice.retry.RetryHeaders;
import io.sluice.schemas.PromptRequest;
import io.sluice.schemas.PromptResponse;
import io.sluice.schemas.ResponseStatus;
import io.sluice.schemas.internal.FailedAttempt;
import io.sluice.schemas.internal.InFlightCall;
import io.sluice.topology.DeadLetterHeaders;
import io.sluice.topology.Keys;
import io.sluice.topology.Outages;
import io.sluice.topology.TopologyNames;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The provider-caller stage. {@code process()} records the request in the changelogged in-flight store, starts the
 * provider call on the HTTP client's threads and returns. Finished calls come back through a queue and are
 * forwarded, and their in-flight entries deleted, on the stream thread only: in {@code process()} and in a
 * wall-clock punctuator. Under exactly-once the in-flight write commits with the input offset, and the outcome with
 * the delete, so a crash re-issues the call (from {@link #init}) rather than losing it; the provider may then be
 * called twice for one request, but only one outcome is ever committed.
 */
public final class CallProcessor implements Processor<String, PromptRequest, String, CallOutcome> {
    private static final Logger log = LoggerFactory.getLogger(CallProcessor.class);
    public static final String STAGE = "call";
    /** Written on dead letters, so an operator knows which release failed a request. */
    public static final String APP_VERSION = Objects.requireNonNullElse(
            CallProcessor.class.getPackage().getImplementationVersion(), "dev");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long BULKHEAD_RETRY_MS = 20;
    /** Provider latency of answered calls per route and canary variant. */
    public static final String CANARY_LATENCY_METRIC = "sluice.canary.call.latency";
    /** Window store of answered request ids, kept for the dedup retention. */
    public static final String ANSWERED = "call-answered";

    /** Provider calls beyond a request's first, by provider, error class and whether the same target is retried. */
    public static final String RETRIES_METRIC = "sluice.call.retries";
    /** Requests answered from the response cache, by route and how (hit or fallback). */
    public static final String CACHE_METRIC = "sluice.call.cache";
    /** Requests parked on a retry tier, by tier. */
    public static final String PARKED_METRIC = "sluice.call.retry.parked";

    private final CallStage stage;
    private final RouteTable routes;
    private final CallSettings settings;
    private final CallTelemetry telemetry;
    private final LinkedBlockingQueue<Completion> completions = new LinkedBlockingQueue<>();
    private final PriorityQueue<DueRetry> retries = new PriorityQueue<>(Comparator.comparingLong(DueRetry::dueAt));
    private ProcessorContext<String, CallOutcome> context;
    private KeyValueStore<String, InFlightCall> inFlight;
    private WindowStore<String, Long> answered;
    private WindowStore<String, PromptResponse> cache;
    private int running;

    /** A provider call attempt that ended: {@code id} is the in-flight store key, {@code target} who was called. */
    record Completion(String requestId, int attempt, PromptRequest request, RouteTable.Target target,
                      ProviderReply reply, ProviderException error, long latencyNanos, CircuitBreaker breaker) {
        long latencyMs() {
            return TimeUnit.NANOSECONDS.toMillis(latencyNanos);
        }
    }

    private record DueRetry(long dueAt, String requestId) {}

    private CallProcessor(CallStage stage) {
        this.stage = stage;
        this.routes = stage.routes();
        this.settings = stage.settings();
        this.telemetry = new CallTelemetry(stage.routes(), stage.tenantTags());
    }

    /** The processor and the stores it owns: in-flight calls, answered ids and the response cache. */
    public static ProcessorSupplier<String, PromptRequest, String, CallOutcome> supplier(
            CallStage stage, Serde<InFlightCall> inFlightSerde, Serde<PromptResponse> responseSerde) {
        return new ProcessorSupplier<>() {
            @Override
            public Processor<String, PromptRequest, String, CallOutcome> get() {
                return new CallProcessor(stage);
            }

            @Override
            public Set<StoreBuilder<?>> stores() {
                return Set.of(
                        // in memory by default: bounded by the in-flight limit plus parked retries, and restored
                        // from its changelog like any other store
                        Stores.keyValueStoreBuilder(stage.settings().inFlightInMemory()
                                        ? Stores.inMemoryKeyValueStore(TopologyNames.IN_FLIGHT)
                                        : Stores.persistentKeyValueStore(TopologyNames.IN_FLIGHT),
                                Serdes.String(), inFlightSerde),
                        // one entry per answered id at its answer time; segments past the retention are dropped
                        Stores.windowStoreBuilder(Stores.persistentWindowStore(ANSWERED, stage.settings().dedupRetention(),
                                Duration.ofMillis(1), false), Serdes.String(), Serdes.Long()),
                        stage.cache().storeBuilder(responseSerde));
            }
        };
    }

    @Override
    public void init(ProcessorContext<String, CallOutcome> context) {
        this.context = context;
        this.inFlight = context.getStateStore(TopologyNames.IN_FLIGHT);
        this.answered = context.getStateStore(ANSWERED);
        this.cache = context.getStateStore(ResponseCache.STORE);
        context.schedule(settings.pollInterval(), PunctuationType.WALL_CLOCK_TIME, now -> drain());
        List<String> unfinished = new ArrayList<>();
        List<org.apache.kafka.streams.KeyValue<String, InFlightCall>> orphaned = new ArrayList<>();
        try (KeyValueIterator<String, InFlightCall> all = inFlight.all()) {
            all.forEachRemaining(entry -> {
                InFlightCall call = entry.value;
                // A parked call waits on its retry tier's topic, which brings it back; re-issuing it would double
                // it. But a tier that is no longer configured never brings it back: that one is re-issued now.
                if (call.getParkedUntil() != null && call.getRetryTier() > stage.retryTiers().count()) {
                    orphaned.add(entry);
                } else if (call.getParkedUntil() == null) {
                    unfinished.add(entry.key);
                }
            });
        }
        for (var entry : orphaned) {
            InFlightCall call = entry.value;
            log.warn("Request {} was parked on retry tier {}, which is no longer configured; re-issuing it",
                    call.getRequest().getRequestId(), call.getRetryTier());
            call.setParkedUntil(null);
            call.setTarget(0);
            call.setTargetAttempts(0);
            inFlight.put(entry.key, call);
            unfinished.add(entry.key);
        }
        if (!unfinished.isEmpty()) {
            log.info("Task {} re-issuing {} provider calls left in flight by an earlier owner",
                    context.taskId(), unfinished.size());
        }
        // Started from the first drain, not here: init() may not forward, and a dead letter would.
        long now = context.currentSystemTimeMs();
        unfinished.forEach(key -> retries.add(new DueRetry(now, key)));
    }

    @Override
    public void close() {
        // Calls still out will complete into a queue nobody drains; their entries stay in the store for the next
        // owner, which re-issues them.
        completions.clear();
        retries.clear();
        running = 0;
    }

    /** Store key of a request: request ids are unique per tenant, not across tenants. */
    static String key(PromptRequest request) {
        return Keys.request(request.getTenantId(), request.getRequestId());
    }

    @Override
    public void process(Record<String, PromptRequest> record) {
        PromptRequest request = record.value();
        String key = key(request);
        int tier = RetryHeaders.tier(record.headers());
        InFlightCall existing = inFlight.get(key);
        long now = context.currentSystemTimeMs();
        if (existing != null && existing.getParkedUntil() != null && tier == existing.getRetryTier()) {
            log.info("Request {} is back from retry tier {}; trying its route again", request.getRequestId(), tier);
            existing.setParkedUntil(null);
            existing.setAcceptedAt(Instant.ofEpochMilli(now));
            existing.setTarget(0);
            existing.setTargetAttempts(0);
            start(key, existing);
        } else if (existing != null) {
            log.debug("Request {} is already in flight; duplicate delivery ignored", request.getRequestId());
        } else if (answeredBefore(key, record.timestamp())) {
            log.info("Request {} was answered before; the resend is not called again", request.getRequestId());
            context.forward(new Record<>(request.getRequestId(), new CallOutcome.Duplicate(request), now));
        } else if (stage.cache().servesDirectly(request) && answerFromCache(key, request, ResponseStatus.CACHED, 0)) {
            log.debug("Request {} answered from the response cache", request.getRequestId());
        } else {
            // A record from a retry tier whose entry is gone (put there by an operator's replay) keeps its tier.
            start(key, new InFlightCall(request, Instant.ofEpochMilli(now), 0, null, 0, 0, tier, null,
                    new ArrayList<>()));
        }
        drain();
        long waitUntil = System.nanoTime() + settings.maxBlock().toNanos();
        while ((running >= settings.maxInFlight() || retries.size() >= settings.maxWaiting())
                && System.nanoTime() < waitUntil) {
            // Backpressure: only here does the stream thread wait, and only for a completion or for a waiting
            // request to come due, never for I/O; meanwhile new requests wait in Kafka, not in this heap.
            awaitOneCompletion(Math.min(waitUntil, nextDueNanos()));
            drain();
        }
    }

    /**
     * Starts the next attempt on the call's current target, or on the first later target of the route whose
     * circuit lets a call through; a target skipped for an open circuit costs no attempt.
     */
    private void start(String id, InFlightCall call) {
        PromptRequest request = call.getRequest();
        List<RouteTable.Target> chain = chainOf(request);
        Instant deadline = request.getDeadline();
        long startNow = context.currentSystemTimeMs();
        if (deadline != null && deadline.toEpochMilli() <= startNow) {
            giveUp(id, call, "DEADLINE_EXCEEDED", new ProviderException(chain.isEmpty() ? "none"
                    : chain.get(0).provider(), 0, "deadline", false, null, "the request's deadline passed"));
            return;
        }
        Duration timeout = deadline == null ? settings.timeout()
                : Duration.ofMillis(Math.min(settings.timeout().toMillis(), deadline.toEpochMilli() - startNow));
        long tokens = TokenEstimate.total(request, settings.defaultOutputTokens());
        boolean usable = false;
        for (int index = call.getTarget(); index < chain.size(); index++) {
            RouteTable.Target target = chain.get(index);
            ProviderClient provider = stage.providers().get(target.provider()).orElse(null);
            CircuitBreaker breaker = stage.breakers().of(target);
            // Context-window fallback: a prompt too long for this model goes on to a larger one in the chain.
            if (provider == null || !PriceTable.fits(target.model(), tokens)) {
                continue;
            }
            usable = true;
            if (!breaker.tryAcquirePermission()) {
                continue;
            }
            long quotaWait = stage.quotas().tryAcquire(target.provider(), tokens, startNow);
            if (quotaWait > 0) {
                // Near the provider's own quota: queue until it has room, spending no attempt.
                breaker.releasePermission();
                inFlight.put(id, call);
                retries.add(new DueRetry(startNow + quotaWait, id));
                return;
            }
            if (!stage.bulkheads().tryAcquire(target.provider())) {
                // The provider already has as many calls out as allowed: wait a little, spending no attempt.
                breaker.releasePermission();
                inFlight.put(id, call);
                retries.add(new DueRetry(startNow + BULKHEAD_RETRY_MS, id));
                return;
            }
            if (index != call.getTarget()) {
                call.setTarget(index);
                call.setTargetAttempts(0);
            }
            int attempt = call.getAttempts() + 1;
            call.setAttempts(attempt);
            call.setTargetAttempts(call.getTargetAttempts() + 1);
            inFlight.put(id, call);
            running++;
            long started = System.nanoTime();
            CompletableFuture<ProviderReply> pending;
            try {
                pending = provider.complete(request, target.model(), timeout);
            } catch (RuntimeException e) {
                pending = CompletableFuture.failedFuture(e);
            }
            pending.whenComplete((reply, failure) -> stage.bulkheads().release(target.provider()));
            // The JDK client's timeout stops covering a call once headers arrive; a stalled body must end too.
            pending.orTimeout(timeout.toMillis() + 1_000, TimeUnit.MILLISECONDS).whenComplete((reply, failure) ->
                    completions.add(new Completion(id, attempt, request, target, reply,
                            failure == null ? null : ProviderException.classify(provider.name(), failure),
                            System.nanoTime() - started, breaker)));
            return;
        }
        if (!usable && !anyUsable(chain, tokens)) {
            // No target of the route could ever take it (no provider configured, or too long for every model):
            // waiting for circuits or a retry tier would change nothing.
            String last = chain.isEmpty() ? "none" : chain.get(chain.size() - 1).provider();
            giveUp(id, call, "NON_RETRYABLE", new ProviderException(last, 0, "no_usable_target", false, null,
                    "no target of route '" + request.getRoute() + "' can take this request: its providers are not"
                            + " configured, or it is too long (" + tokens + " tokens) for every model"));
            return;
        }
        // Every remaining circuit is open: wait for the primary's to let a trial call through, within bounds.
        long now = context.currentSystemTimeMs();
        long waitUntil = call.getAcceptedAt().toEpochMilli() + settings.maxCircuitWait().toMillis();
        // Look again within a second: a half-open circuit admits only a few trial calls, and once they succeed
        // the waiting requests should go at once rather than after another whole open period.
        long retryAt = now + Math.min(settings.circuitOpen().toMillis(), 1_000);
        if (!chain.isEmpty() && retryAt <= waitUntil && (deadline == null || retryAt < deadline.toEpochMilli())) {
            call.setTarget(0);
            call.setTargetAttempts(0);
            inFlight.put(id, call);
            retries.add(new DueRetry(retryAt, id));
            return;
        }
        String last = chain.isEmpty() ? "none" : chain.get(chain.size() - 1).provider();
        giveUp(id, call, "NO_TARGET_AVAILABLE", new ProviderException(last, 0, "circuit_open", true, null,
                "no target of route '" + request.getRoute() + "' was available within "
                        + settings.maxCircuitWait().toSeconds() + " s: circuits open or providers not configured"));
    }

    private boolean answeredBefore(String id, long requestTime) {
        long now = context.currentSystemTimeMs();
        try (WindowStoreIterator<Long> hits = answered.fetch(id,
                Math.min(requestTime, now) - settings.dedupRetention().toMillis(), Long.MAX_VALUE)) {
            return hits.hasNext();
        }
    }

    /** When (on the nanosecond clock) the earliest waiting request comes due; far off when none waits. */
    private long nextDueNanos() {
        if (retries.isEmpty()) {
            return Long.MAX_VALUE;
        }
        long inMs = Math.max(1, retries.peek().dueAt() - context.currentSystemTimeMs());
        return System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(inMs);
    }

    private void awaitOneCompletion(long untilNanos) {
        try {
            Completion completion = completions.poll(untilNanos - System.nanoTime(), TimeUnit.NANOSECONDS);
            if (completion != null) {
                running--;
                handleSafely(completion); // the completion is another request's: never blame the record
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Forwards what finished and starts what is due, until neither is left (a fallback can finish at once). */
    private void drain() {
        boolean progressed;
        do {
            progressed = false;
            Completion completion;
            while ((completion = completions.poll()) != null) {
                running--;
                handleSafely(completion);
                progressed = true;
            }
            long now = context.currentSystemTimeMs();
            while (!retries.isEmpty() && retries.peek().dueAt() <= now) {
                String id = retries.poll().requestId();
                InFlightCall call = inFlight.get(id);
                if (call != null && call.getParkedUntil() == null) { // a parked call comes back through its tier
                    start(id, call);
                    progressed = true;
                }
            }
        } while (progressed);
    }

    /**
     * A completion belongs to its own request, not to the record being processed: a failure handling it must end
     * that request (dead letter), never escape to the processing-exception handler, which would blame the record.
     * Except a failure of Kafka Streams itself (a send that failed, a fenced producer, a handler that failed the
     * thread) or an {@linkplain Outages outage} (the registry down when the response's schema is first registered):
     * neither is the request's fault, and under exactly-once the thread's transaction is aborted and the call
     * re-issued from the in-flight store; a dead letter here would end a valid request.
     */
    private void handleSafely(Completion done) {
        try {
            handle(done);
        } catch (StreamsException e) {
            throw e;
        } catch (RuntimeException e) {
            if (Outages.isOutage(e)) {
                throw e;
            }
            log.error("Handling the provider result of {} failed; dead-lettering it", done.requestId(), e);
            InFlightCall call = inFlight.get(done.requestId());
            if (call != null) {
                giveUp(done.requestId(), call, "PROCESSING_ERROR", new ProviderException("sluice", 0,
                        "processing_error", false, null, e.getClass().getSimpleName()));
            }
        }
    }

    private void handle(Completion done) {
        InFlightCall call = inFlight.get(done.requestId());
        if (call == null || call.getAttempts() != done.attempt()) {
            done.breaker().releasePermission();
            telemetry.superseded(done);
            return; // already answered, or an attempt superseded by a later one
        }
        long now = context.currentSystemTimeMs();
        if (done.reply() != null) {
            done.breaker().onSuccess(done.latencyNanos(), TimeUnit.NANOSECONDS);
            PromptResponse response = response(call, done, now); // first: if it fails, nothing was changed
            telemetry.answeredAttempt(done, response);
            stage.cache().remember(cache, call.getRequest(), response, now);
            answer(done.requestId(), response, now);
            return;
        }
        ProviderException error = done.error();
        if (error.retryable()) {
            // The provider's trouble: counts against its circuit. A 4xx is about this request, not the provider.
            done.breaker().onError(done.latencyNanos(), TimeUnit.NANOSECONDS, error);
        } else {
            done.breaker().releasePermission();
        }
        call.setLastError(stage.redact().apply(error.getMessage()));
        List<FailedAttempt> failures = new ArrayList<>(call.getFailures());
        failures.add(new FailedAttempt(done.attempt(),
                chainOf(call.getRequest()).get(call.getTarget()).toString(), error.status(),
                error.errorClass(), call.getLastError(), Instant.ofEpochMilli(now)));
        call.setFailures(failures);
        telemetry.failedAttempt(done, call.getLastError());
        long retryAt = now + settings.backoffAfter(call.getTargetAttempts(), error.retryAfter().orElse(null)).toMillis();
        boolean retrySameTarget = error.retryable() && call.getTargetAttempts() < settings.maxAttempts()
                && settings.honours(error.retryAfter().orElse(null));
        Instant deadline = call.getRequest().getDeadline();
        boolean hasNextTarget = call.getTarget() + 1 < chainOf(call.getRequest()).size();
        if (deadline != null && deadline.toEpochMilli() <= (retrySameTarget ? retryAt : now)) {
            giveUp(done.requestId(), call, "DEADLINE_EXCEEDED", error);
        } else if (retrySameTarget) {
            countRetry(error, "same_target");
            log.info("Request {} retries {} in {} ms", call.getRequest().getRequestId(),
                    chainOf(call.getRequest()).get(call.getTarget()), retryAt - now);
            inFlight.put(done.requestId(), call);
            retries.add(new DueRetry(retryAt, done.requestId()));
        } else if (hasNextTarget) {
            countRetry(error, "fallback");
            call.setTarget(call.getTarget() + 1);
            call.setTargetAttempts(0);
            inFlight.put(done.requestId(), call);
            retries.add(new DueRetry(now, done.requestId())); // the fallback is tried at once
        } else {
            giveUp(done.requestId(), call, error.retryable() ? "RETRIES_EXHAUSTED" : "NON_RETRYABLE", error);
        }
    }

    private void countRetry(ProviderException error, String kind) {
        // provider and error class are bounded label sets; request ids never become labels
        Metrics.counter(RETRIES_METRIC, "provider", error.provider(), "error_class", error.errorClass(), "kind", kind)
                .increment();
    }

    private void answer(String id, PromptResponse response, long now) {
        inFlight.delete(id);
        answered.put(id, now, now);
        telemetry.answered(response);
        context.forward(new Record<>(response.getRequestId(), new CallOutcome.Answered(response), now));
    }

    /** Answers from the cache if it holds this prompt; false (and nothing changed) when it does not. */
    private boolean answerFromCache(String id, PromptRequest request, ResponseStatus status, int attempts) {
        long now = context.currentSystemTimeMs();
        Optional<PromptResponse> cached = stage.cache().lookup(cache, request, now);
        if (cached.isEmpty()) {
            return false;
        }
        Metrics.counter(CACHE_METRIC, "route", request.getRoute(),
                "result", status == ResponseStatus.CACHED ? "hit" : "fallback").increment();
        answer(id, Answers.fromCache(request, cached.get(), status, attempts, now), now);
        return true;
    }

    /** Whether any target of the chain has a provider and a context window the request fits. */
    private boolean anyUsable(List<RouteTable.Target> chain, long tokens) {
        return chain.stream().anyMatch(target -> stage.providers().get(target.provider()).isPresent()
                && PriceTable.fits(target.model(), tokens));
    }

    /**
     * No target answered. In order, the request gets: an earlier answer to the same prompt (routes with a cache), the
     * route's degraded answer, a retry tier (a retryable failure with a tier left before the deadline), or the
     * dead-letter topic. A processing error always dead-letters: it says nothing about the providers.
     */
    private void giveUp(String id, InFlightCall call, String reason, ProviderException error) {
        long now = context.currentSystemTimeMs();
        PromptRequest request = call.getRequest();
        boolean processingError = reason.equals("PROCESSING_ERROR");
        if (!processingError && stage.cache().enabled(request.getRoute())
                && answerFromCache(id, request, ResponseStatus.CACHED_FALLBACK, call.getAttempts())) {
            log.warn("Request {} answered from the cache after {} attempts: {}", request.getRequestId(),
                    call.getAttempts(), reason);
            return;
        }
        String degraded = settings.degradedAnswers().get(request.getRoute());
        if (degraded != null && !processingError) {
            // The route prefers a configured answer to waiting. Not remembered as answered: a resend gets a real
            // try once a provider is back.
            log.warn("Request {} answered DEGRADED after {} attempts: {}", request.getRequestId(),
                    call.getAttempts(), reason);
            inFlight.delete(id);
            PromptResponse response = Answers.degraded(request, degraded, call.getAttempts(), now);
            telemetry.answered(response);
            context.forward(new Record<>(request.getRequestId(), new CallOutcome.Answered(response), now));
            return;
        }
        int tier = call.getRetryTier() + 1;
        boolean providerTrouble = reason.equals("RETRIES_EXHAUSTED") || reason.equals("NO_TARGET_AVAILABLE");
        if (providerTrouble && tier <= stage.retryTiers().count()) {
            long dueAt = now + stage.retryTiers().delay(tier).toMillis();
            Instant deadline = request.getDeadline();
            if (deadline == null || dueAt < deadline.toEpochMilli()) {
                park(id, call, tier, dueAt, reason);
                return;
            }
        }
        deadLetter(id, call, reason, error);
    }

    /**
     * Sends the request to retry tier {@code tier}'s topic. Its in-flight entry stays, marked parked, so a resend
     * meanwhile is ignored and a restore does not re-issue it; the tier brings it back when due.
     */
    private void park(String id, InFlightCall call, int tier, long dueAt, String reason) {
        long now = context.currentSystemTimeMs();
        call.setRetryTier(tier);
        call.setParkedUntil(Instant.ofEpochMilli(dueAt));
        inFlight.put(id, call);
        Record<String, CallOutcome> record = new Record<>(call.getRequest().getRequestId(),
                new CallOutcome.Delayed(call.getRequest(), tier, dueAt), now);
        Headers headers = record.headers();
        DeadLetterHeaders.put(headers, RetryHeaders.TIER, tier);
        DeadLetterHeaders.put(headers, RetryHeaders.ATTEMPTS, call.getAttempts());
        DeadLetterHeaders.put(headers, RetryHeaders.DUE_AT, dueAt);
        DeadLetterHeaders.put(headers, RetryHeaders.REASON, reason);
        if (call.getLastError() != null) {
            DeadLetterHeaders.put(headers, RetryHeaders.LAST_ERROR, call.getLastError());
        }
        Metrics.counter(PARKED_METRIC, "tier", String.valueOf(tier)).increment();
        log.warn("Request {} parked on retry tier {} for {} ms after {} attempts: {}",
                call.getRequest().getRequestId(), tier, dueAt - now, call.getAttempts(), reason);
        context.forward(record);
    }

    private void deadLetter(String id, InFlightCall call, String reason, ProviderException error) {
        inFlight.delete(id);
        long now = context.currentSystemTimeMs();
        Record<String, CallOutcome> record = new Record<>(call.getRequest().getRequestId(),
                new CallOutcome.DeadLettered(call.getRequest(), reason, error, call.getAttempts()), now);
        Headers headers = record.headers();
        DeadLetterHeaders.put(headers, DeadLetterHeaders.EXCEPTION, ProviderException.class.getName());
        DeadLetterHeaders.put(headers, DeadLetterHeaders.MESSAGE, stage.redact().apply(error.getMessage()));
        DeadLetterHeaders.put(headers, DeadLetterHeaders.REASON, reason);
        DeadLetterHeaders.put(headers, DeadLetterHeaders.STAGE, STAGE);
        DeadLetterHeaders.put(headers, DeadLetterHeaders.REQUEST_ID, call.getRequest().getRequestId());
        DeadLetterHeaders.put(headers, DeadLetterHeaders.ATTEMPTS, call.getAttempts());
        DeadLetterHeaders.put(headers, DeadLetterHeaders.ERROR_CLASS, error.errorClass());
        DeadLetterHeaders.put(headers, DeadLetterHeaders.PROVIDER, error.provider());
        DeadLetterHeaders.put(headers, DeadLetterHeaders.STATUS, error.status());
        DeadLetterHeaders.put(headers, DeadLetterHeaders.AT, now);
        DeadLetterHeaders.put(headers, DeadLetterHeaders.APP_VERSION, APP_VERSION);
        DeadLetterHeaders.putAll(headers, DeadLetterHeaders.ATTEMPT, call.getFailures().stream()
                .map(f -> JSON.createObjectNode().put("attempt", f.getAttempt()).put("target", f.getTarget())
                        .put("status", f.getStatus()).put("errorClass", f.getErrorClass()).put("error", f.getError())
                        .put("at", f.getAt().toEpochMilli()).toString())
                .toList());
        if (!call.getFailures().isEmpty()) {
            DeadLetterHeaders.put(headers, DeadLetterHeaders.FIRST_FAILURE_AT,
                    call.getFailures().get(0).getAt().toEpochMilli());
            DeadLetterHeaders.put(headers, DeadLetterHeaders.LAST_FAILURE_AT,
                    call.getFailures().get(call.getFailures().size() - 1).getAt().toEpochMilli());
        }
        log.warn("Request {} dead-lettered after {} attempts: {} ({})", call.getRequest().getRequestId(),
                call.getAttempts(), reason, stage.redact().apply(error.getMessage()));
        telemetry.deadLettered(call.getRequest(), reason, error, now);
        context.forward(record);
    }

    private PromptResponse response(InFlightCall call, Completion done, long now) {
        PromptRequest request = call.getRequest();
        ProviderReply reply = done.reply();
        RouteTable.Target target = chainOf(request).get(call.getTarget());
        String variant = routes.canary(request.getRoute()).isEmpty() ? null
                : routes.inCanary(request.getRoute(), Keys.user(request)) ? "canary" : "stable";
        if (variant != null) {
            // Route and variant are bounded labels: configured route names, two variants.
            Metrics.timer(CANARY_LATENCY_METRIC, "route", request.getRoute(), "variant", variant)
                    .record(done.latencyNanos(), TimeUnit.NANOSECONDS);
        }
        return Answers.fromReply(request, target, call.getTarget() == 0, reply, done.latencyMs(), call.getAttempts(),
                variant, now, settings.prices());
    }

    /** The targets a request is tried on, with the route's canary candidate first for users in the canary. */
    private List<RouteTable.Target> chainOf(PromptRequest request) {
        return routes.chainFor(request.getRoute(), Keys.user(request));
    }
}
