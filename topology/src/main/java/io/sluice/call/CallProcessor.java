package io.sluice.call;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.Metrics;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.sluice.config.RouteTable;
import io.sluice.limit.TokenEstimate;
import io.sluice.provider.PriceTable;
import io.sluice.provider.ProviderClient;
import io.sluice.provider.ProviderClients;
import io.sluice.provider.ProviderException;
import io.sluice.provider.ProviderReply;
import io.sluice.schemas.PromptRequest;
import io.sluice.schemas.PromptResponse;
import io.sluice.schemas.ResponseStatus;
import io.sluice.schemas.TokenUsage;
import io.sluice.schemas.internal.FailedAttempt;
import io.sluice.schemas.internal.InFlightCall;
import io.sluice.topology.DeadLetterHeaders;
import io.sluice.topology.Keys;
import io.sluice.topology.TopologyNames;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.serialization.Serde;
import org.owasp.encoder.Encode;
import org.apache.kafka.common.serialization.Serdes;
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
    static final String APP_VERSION = Objects.requireNonNullElse(
            CallProcessor.class.getPackage().getImplementationVersion(), "dev");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long BULKHEAD_RETRY_MS = 20;
    /** Provider latency of answered calls per route and canary variant. */
    public static final String CANARY_LATENCY_METRIC = "sluice.canary.call.latency";
    /** Window store of answered request ids, kept for the dedup retention. */
    public static final String ANSWERED = "call-answered";

    private final ProviderClients providers;
    private final RouteTable routes;
    private final CallSettings settings;
    private final Breakers breakers;
    private final Bulkheads bulkheads;
    private final ProviderQuotas quotas;
    private final UnaryOperator<String> redact;
    private final LinkedBlockingQueue<Completion> completions = new LinkedBlockingQueue<>();
    private final PriorityQueue<DueRetry> retries = new PriorityQueue<>(Comparator.comparingLong(DueRetry::dueAt));
    private ProcessorContext<String, CallOutcome> context;
    private KeyValueStore<String, InFlightCall> inFlight;
    private WindowStore<String, Long> answered;
    private int running;

    private record Completion(String requestId, int attempt, ProviderReply reply, ProviderException error,
                              long latencyMs, CircuitBreaker breaker) {}

    private record DueRetry(long dueAt, String requestId) {}

    private CallProcessor(ProviderClients providers, RouteTable routes, CallSettings settings, Breakers breakers,
                          Bulkheads bulkheads, ProviderQuotas quotas, UnaryOperator<String> redact) {
        this.bulkheads = bulkheads;
        this.quotas = quotas;
        this.providers = providers;
        this.routes = routes;
        this.settings = settings;
        this.breakers = breakers;
        this.redact = redact;
    }

    /** The processor and the in-flight store it owns. */
    public static ProcessorSupplier<String, PromptRequest, String, CallOutcome> supplier(
            ProviderClients providers, RouteTable routes, CallSettings settings, Breakers breakers,
            Bulkheads bulkheads, ProviderQuotas quotas, UnaryOperator<String> redact,
            Serde<InFlightCall> inFlightSerde) {
        return new ProcessorSupplier<>() {
            @Override
            public Processor<String, PromptRequest, String, CallOutcome> get() {
                return new CallProcessor(providers, routes, settings, breakers, bulkheads, quotas, redact);
            }

            @Override
            public Set<StoreBuilder<?>> stores() {
                return Set.of(
                        Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(TopologyNames.IN_FLIGHT),
                                Serdes.String(), inFlightSerde),
                        // one entry per answered id at its answer time; segments past the retention are dropped
                        Stores.windowStoreBuilder(Stores.persistentWindowStore(ANSWERED, settings.dedupRetention(),
                                Duration.ofMillis(1), false), Serdes.String(), Serdes.Long()));
            }
        };
    }

    @Override
    public void init(ProcessorContext<String, CallOutcome> context) {
        this.context = context;
        this.inFlight = context.getStateStore(TopologyNames.IN_FLIGHT);
        this.answered = context.getStateStore(ANSWERED);
        context.schedule(settings.pollInterval(), PunctuationType.WALL_CLOCK_TIME, now -> drain());
        List<String> unfinished = new ArrayList<>();
        try (KeyValueIterator<String, InFlightCall> all = inFlight.all()) {
            all.forEachRemaining(entry -> unfinished.add(entry.key));
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
        return request.getTenantId().length() + ":" + request.getTenantId() + "/" + request.getRequestId();
    }

    @Override
    public void process(Record<String, PromptRequest> record) {
        PromptRequest request = record.value();
        String key = key(request);
        if (inFlight.get(key) != null) {
            log.debug("Request {} is already in flight; duplicate delivery ignored", request.getRequestId());
        } else if (answeredBefore(key, record.timestamp())) {
            log.info("Request {} was answered before; the resend is not called again", request.getRequestId());
            context.forward(new Record<>(request.getRequestId(), new CallOutcome.Duplicate(request),
                    context.currentSystemTimeMs()));
        } else {
            start(key, new InFlightCall(request, Instant.ofEpochMilli(context.currentSystemTimeMs()), 0, null, 0, 0,
                    new ArrayList<>()));
        }
        drain();
        long waitUntil = System.nanoTime() + settings.maxBlock().toNanos();
        while (running >= settings.maxInFlight() && System.nanoTime() < waitUntil) {
            // Backpressure: only here does the stream thread wait, and only for a completion, never for I/O.
            awaitOneCompletion(waitUntil);
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
            deadLetter(id, call, "DEADLINE_EXCEEDED", new ProviderException(chain.isEmpty() ? "none"
                    : chain.get(0).provider(), 0, "deadline", false, null, "the request's deadline passed"));
            return;
        }
        Duration timeout = deadline == null ? settings.timeout()
                : Duration.ofMillis(Math.min(settings.timeout().toMillis(), deadline.toEpochMilli() - startNow));
        long tokens = TokenEstimate.total(request, settings.defaultOutputTokens());
        for (int index = call.getTarget(); index < chain.size(); index++) {
            RouteTable.Target target = chain.get(index);
            ProviderClient provider = providers.get(target.provider()).orElse(null);
            CircuitBreaker breaker = breakers.of(target);
            // Context-window fallback: a prompt too long for this model goes on to a larger one in the chain.
            if (provider == null || !PriceTable.fits(target.model(), tokens) || !breaker.tryAcquirePermission()) {
                continue;
            }
            long quotaWait = quotas.tryAcquire(target.provider(), tokens, startNow);
            if (quotaWait > 0) {
                // Near the provider's own quota: queue until it has room, spending no attempt.
                breaker.releasePermission();
                inFlight.put(id, call);
                retries.add(new DueRetry(startNow + quotaWait, id));
                return;
            }
            if (!bulkheads.tryAcquire(target.provider())) {
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
            pending.whenComplete((reply, failure) -> bulkheads.release(target.provider()));
            // The JDK client's timeout stops covering a call once headers arrive; a stalled body must end too.
            pending.orTimeout(timeout.toMillis() + 1_000, TimeUnit.MILLISECONDS).whenComplete((reply, failure) ->
                    completions.add(new Completion(id, attempt, reply,
                            failure == null ? null : ProviderException.classify(provider.name(), failure),
                            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), breaker)));
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
        deadLetter(id, call, "NO_TARGET_AVAILABLE", new ProviderException(last, 0, "circuit_open", true, null,
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

    private void awaitOneCompletion(long untilNanos) {
        try {
            Completion completion = completions.poll(untilNanos - System.nanoTime(), TimeUnit.NANOSECONDS);
            if (completion != null) {
                running--;
                handle(completion);
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
                if (call != null) {
                    start(id, call);
                    progressed = true;
                }
            }
        } while (progressed);
    }

    /**
     * A completion belongs to its own request, not to the record being processed: a failure handling it must end
     * that request (dead letter), never escape to the processing-exception handler, which would blame the record.
     */
    private void handleSafely(Completion done) {
        try {
            handle(done);
        } catch (RuntimeException e) {
            log.error("Handling the provider result of {} failed; dead-lettering it", done.requestId(), e);
            InFlightCall call = inFlight.get(done.requestId());
            if (call != null) {
                deadLetter(done.requestId(), call, "PROCESSING_ERROR", new ProviderException("sluice", 0,
                        "processing_error", false, null, e.getClass().getSimpleName()));
            }
        }
    }

    private void handle(Completion done) {
        InFlightCall call = inFlight.get(done.requestId());
        if (call == null || call.getAttempts() != done.attempt()) {
            done.breaker().releasePermission();
            return; // already answered, or an attempt superseded by a later one
        }
        long now = context.currentSystemTimeMs();
        if (done.reply() != null) {
            done.breaker().onSuccess(done.latencyMs(), TimeUnit.MILLISECONDS);
            PromptResponse response = response(call, done, now); // first: if it fails, nothing was changed
            inFlight.delete(done.requestId());
            answered.put(done.requestId(), now, now);
            context.forward(new Record<>(response.getRequestId(), new CallOutcome.Answered(response), now));
            return;
        }
        ProviderException error = done.error();
        if (error.retryable()) {
            // The provider's trouble: counts against its circuit. A 4xx is about this request, not the provider.
            done.breaker().onError(done.latencyMs(), TimeUnit.MILLISECONDS, error);
        } else {
            done.breaker().releasePermission();
        }
        call.setLastError(redact.apply(error.getMessage()));
        List<FailedAttempt> failures = new ArrayList<>(call.getFailures());
        failures.add(new FailedAttempt(done.attempt(),
                chainOf(call.getRequest()).get(call.getTarget()).toString(), error.status(),
                error.errorClass(), call.getLastError(), Instant.ofEpochMilli(now)));
        call.setFailures(failures);
        log.info("Provider call for request {} failed on attempt {}: {}", call.getRequest().getRequestId(),
                done.attempt(), redact.apply(error.getMessage()));
        long retryAt = now + settings.backoffAfter(call.getTargetAttempts(), error.retryAfter().orElse(null)).toMillis();
        boolean retrySameTarget = error.retryable() && call.getTargetAttempts() < settings.maxAttempts()
                && settings.honours(error.retryAfter().orElse(null));
        Instant deadline = call.getRequest().getDeadline();
        boolean hasNextTarget = call.getTarget() + 1 < chainOf(call.getRequest()).size();
        if (deadline != null && deadline.toEpochMilli() <= (retrySameTarget ? retryAt : now)) {
            deadLetter(done.requestId(), call, "DEADLINE_EXCEEDED", error);
        } else if (retrySameTarget) {
            inFlight.put(done.requestId(), call);
            retries.add(new DueRetry(retryAt, done.requestId()));
        } else if (hasNextTarget) {
            call.setTarget(call.getTarget() + 1);
            call.setTargetAttempts(0);
            inFlight.put(done.requestId(), call);
            retries.add(new DueRetry(now, done.requestId())); // the fallback is tried at once
        } else {
            deadLetter(done.requestId(), call, error.retryable() ? "RETRIES_EXHAUSTED" : "NON_RETRYABLE", error);
        }
    }

    private void deadLetter(String id, InFlightCall call, String reason, ProviderException error) {
        inFlight.delete(id);
        long now = context.currentSystemTimeMs();
        String degraded = settings.degradedAnswers().get(call.getRequest().getRoute());
        if (degraded != null && !reason.equals("PROCESSING_ERROR")) {
            // The route prefers a configured answer to a dead letter. Not remembered as answered: a resend gets a
            // real try once a provider is back.
            log.warn("Request {} answered DEGRADED after {} attempts: {}", call.getRequest().getRequestId(),
                    call.getAttempts(), reason);
            context.forward(new Record<>(call.getRequest().getRequestId(),
                    new CallOutcome.Answered(degradedResponse(call, degraded, now)), now));
            return;
        }
        Record<String, CallOutcome> record = new Record<>(call.getRequest().getRequestId(),
                new CallOutcome.DeadLettered(call.getRequest(), reason, error, call.getAttempts()), now);
        var headers = record.headers();
        DeadLetterHeaders.put(headers, DeadLetterHeaders.EXCEPTION, ProviderException.class.getName());
        DeadLetterHeaders.put(headers, DeadLetterHeaders.MESSAGE, redact.apply(error.getMessage()));
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
                call.getAttempts(), reason, redact.apply(error.getMessage()));
        context.forward(record);
    }

    private static PromptResponse degradedResponse(InFlightCall call, String message, long now) {
        PromptRequest request = call.getRequest();
        return PromptResponse.newBuilder()
                .setRequestId(request.getRequestId())
                .setTenantId(request.getTenantId())
                .setUserId(request.getUserId())
                .setRoute(request.getRoute())
                .setStatus(ResponseStatus.DEGRADED)
                .setProvider("sluice")
                .setModel("degraded")
                .setContent(message)
                .setContentHtml(Encode.forHtml(message))
                .setFinishReason("degraded")
                .setUsage(new TokenUsage(0L, 0L, 0L, 0L))
                .setCostMicros(0)
                .setPriceVersion(null)
                .setProviderLatencyMs(0)
                .setEndToEndLatencyMs(Math.max(0, now - request.getCreatedAt().toEpochMilli()))
                .setAttempts(call.getAttempts())
                .setCompletedAt(Instant.ofEpochMilli(now))
                .build();
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
                    .record(done.latencyMs(), TimeUnit.MILLISECONDS);
        }
        var price = PriceTable.price(reply.model()).or(() -> PriceTable.price(target.model()));
        long cost = price.map(p -> PriceTable.costMicros(p, reply.inputTokens(), reply.cachedInputTokens(),
                reply.outputTokens())).orElse(0L);
        return PromptResponse.newBuilder()
                .setRequestId(request.getRequestId())
                .setTenantId(request.getTenantId())
                .setUserId(request.getUserId())
                .setRoute(request.getRoute())
                .setStatus(call.getTarget() == 0 ? ResponseStatus.OK : ResponseStatus.FALLBACK)
                .setProvider(target.provider())
                .setModel(reply.model())
                .setContent(reply.content())
                .setContentHtml(Encode.forHtml(reply.content()))
                .setFinishReason(reply.finishReason())
                .setUsage(new TokenUsage(reply.inputTokens(), reply.outputTokens(), reply.cachedInputTokens(),
                        reply.reasoningTokens()))
                .setCostMicros(cost)
                .setPriceVersion(price.isPresent() ? PriceTable.VERSION : null)
                .setProviderLatencyMs(done.latencyMs())
                .setEndToEndLatencyMs(Math.max(0, now - request.getCreatedAt().toEpochMilli()))
                .setAttempts(call.getAttempts())
                .setCompletedAt(Instant.ofEpochMilli(now))
                .setVariant(variant)
                .build();
    }

    /** The targets a request is tried on, with the route's canary candidate first for users in the canary. */
    private List<RouteTable.Target> chainOf(PromptRequest request) {
        return routes.chainFor(request.getRoute(), Keys.user(request));
    }
}
