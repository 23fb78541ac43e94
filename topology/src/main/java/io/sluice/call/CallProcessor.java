package io.sluice.call;

import io.sluice.config.RouteTable;
import io.sluice.provider.ProviderException;
import io.sluice.provider.ProviderReply;
import io.sluice.schemas.DeadLetterReason;
import io.sluice.record.Keys;
import io.sluice.record.Outages;
import io.sluice.schemas.PromptRequest;
import io.sluice.schemas.PromptResponse;
import io.sluice.schemas.ResponseStatus;
import io.sluice.schemas.SluiceHeaders;
import io.sluice.schemas.internal.FailedAttempt;
import io.sluice.schemas.internal.InFlightCall;
import io.sluice.topology.TopologyNames;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
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
 *
 * <p>The processor coordinates: {@link TargetChooser} picks each attempt's target, {@link RetryPolicy} decides what
 * follows a failed attempt, {@link GiveUpLadder} what becomes of a request no target answered, and {@link CallRecords}
 * writes the retry-tier and dead-letter records. Each decision is a {@link CallState}; {@link #moveTo} is the one place
 * that writes the stores, reports telemetry and forwards records.
 */
public final class CallProcessor implements Processor<String, PromptRequest, String, CallOutcome> {
    private static final Logger log = LoggerFactory.getLogger(CallProcessor.class);

    private final CallStage stage;
    private final RouteTable routes;
    private final CallSettings settings;
    private final CallTelemetry telemetry;
    private final TargetChooser chooser;
    private final RetryPolicy retryPolicy;
    private final GiveUpLadder ladder;
    private final TaskQueues queues = new TaskQueues();
    private ProcessorContext<String, CallOutcome> context;
    private KeyValueStore<String, InFlightCall> inFlight;
    private WindowStore<String, Long> answered;
    private WindowStore<String, PromptResponse> cache;

    private CallProcessor(CallStage stage) {
        this.stage = stage;
        this.routes = stage.routes();
        this.settings = stage.settings();
        this.telemetry = new CallTelemetry(stage.routes(), stage.tenantTags(), stage.meters());
        this.chooser = new TargetChooser(stage);
        this.retryPolicy = new RetryPolicy(stage.settings());
        this.ladder = new GiveUpLadder(stage);
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
                return CallStores.builders(stage, inFlightSerde, responseSerde);
            }
        };
    }

    @Override
    public void init(ProcessorContext<String, CallOutcome> context) {
        this.context = context;
        this.inFlight = context.getStateStore(TopologyNames.IN_FLIGHT);
        this.answered = context.getStateStore(TopologyNames.CALL_ANSWERED);
        this.cache = context.getStateStore(ResponseCache.STORE);
        context.schedule(settings.pollInterval(), PunctuationType.WALL_CLOCK_TIME, now -> drain());
        List<String> unfinished = CallStores.unfinished(inFlight, stage.retryTiers());
        if (!unfinished.isEmpty()) {
            log.info("Task {} re-issuing {} provider calls left in flight by an earlier owner",
                    context.taskId(), unfinished.size());
        }
        // Started from the first drain, not here: init() may not forward, and a dead letter would.
        long now = context.currentSystemTimeMs();
        unfinished.forEach(key -> queues.wait(key, now));
    }

    @Override
    public void close() {
        // Calls still out will complete into a queue nobody drains; their entries stay in the store for the next
        // owner, which re-issues them.
        queues.clear();
    }

    /** Store key of a request: request ids are unique per tenant, not across tenants. */
    static String key(PromptRequest request) {
        return Keys.request(request.getTenantId(), request.getRequestId());
    }

    @Override
    public void process(Record<String, PromptRequest> record) {
        PromptRequest request = record.value();
        String key = key(request);
        int tier = SluiceHeaders.retryTier(record.headers());
        InFlightCall existing = inFlight.get(key);
        long now = context.currentSystemTimeMs();
        if (existing != null && existing.getParkedUntil() != null && tier == existing.getRetryTier()) {
            log.info("Request {} is back from retry tier {}; trying its route again", request.getRequestId(), tier);
            existing.setParkedUntil(null);
            existing.setAcceptedAt(Instant.ofEpochMilli(now));
            existing.setTarget(0);
            existing.setTargetAttempts(0);
            next(key, existing);
        } else if (existing != null) {
            log.debug("Request {} is already in flight; duplicate delivery ignored", request.getRequestId());
        } else if (answeredBefore(key, record.timestamp())) {
            log.info("Request {} was answered before; the resend is not called again", request.getRequestId());
            context.forward(new Record<>(request.getRequestId(), new CallOutcome.Duplicate(request), now));
        } else {
            // A record from a retry tier whose entry is gone (put there by an operator's replay) keeps its tier.
            InFlightCall call = new InFlightCall(request, Instant.ofEpochMilli(now), 0, null, 0, 0, tier, null,
                    new ArrayList<>());
            Optional<PromptResponse> cached = stage.cache().servesDirectly(request) ? cached(request) : Optional.empty();
            if (cached.isPresent()) {
                log.debug("Request {} answered from the response cache", request.getRequestId());
                moveTo(key, call, new CallState.Answered(Answers.fromCache(request, cached.get(),
                        ResponseStatus.CACHED, 0, now), true));
            } else {
                next(key, call);
            }
        }
        drain();
        long waitUntil = System.nanoTime() + settings.maxBlock().toNanos();
        while (queues.full(settings) && System.nanoTime() < waitUntil) {
            // Backpressure: only here does the stream thread wait, and only for a completion or for a waiting
            // request to come due, never for I/O; meanwhile new requests wait in Kafka, not in this heap.
            awaitOneCompletion(Math.min(waitUntil, queues.nextDueNanos(context.currentSystemTimeMs())));
            drain();
        }
    }

    /** The request's next attempt: started now, waiting for its due time, or given up on. */
    private void next(String id, InFlightCall call) {
        long now = context.currentSystemTimeMs();
        switch (chooser.choose(call, chainOf(call.getRequest()), now)) {
            case TargetChooser.Call target -> moveTo(id, call, new CallState.Calling(target));
            case TargetChooser.Wait wait -> {
                if (wait.fromFirstTarget()) {
                    call.setTarget(0);
                    call.setTargetAttempts(0);
                }
                moveTo(id, call, new CallState.Waiting(wait.at()));
            }
            case TargetChooser.GiveUp giveUp -> giveUp(id, call, giveUp.reason(), giveUp.error());
        }
    }

    /**
     * Moves a request into {@code state}: the one place that writes the in-flight and answered stores, starts provider
     * calls, reports telemetry and forwards outcomes.
     */
    private void moveTo(String id, InFlightCall call, CallState state) {
        long now = context.currentSystemTimeMs();
        PromptRequest request = call.getRequest();
        switch (state) {
            case CallState.Waiting waiting -> {
                inFlight.put(id, call);
                queues.wait(id, waiting.dueAt());
            }
            case CallState.Calling calling -> call(id, call, calling.target());
            case CallState.Parked parked -> {
                call.setRetryTier(parked.tier());
                call.setParkedUntil(Instant.ofEpochMilli(parked.dueAt()));
                inFlight.put(id, call);
                telemetry.parked(parked.tier());
                log.warn("Request {} parked on retry tier {} for {} ms after {} attempts: {}", request.getRequestId(),
                        parked.tier(), parked.dueAt() - now, call.getAttempts(), parked.reason());
                context.forward(CallRecords.parked(call, parked, now));
            }
            case CallState.Answered answered -> {
                inFlight.delete(id);
                if (answered.remembered()) {
                    this.answered.put(id, now, now);
                }
                PromptResponse response = answered.response();
                if (response.getStatus() == ResponseStatus.CACHED || response.getStatus() == ResponseStatus.CACHED_FALLBACK) {
                    telemetry.answeredFromCache(request.getRoute(), response.getStatus() == ResponseStatus.CACHED_FALLBACK);
                }
                telemetry.answered(response);
                context.forward(new Record<>(response.getRequestId(), new CallOutcome.Answered(response), now));
            }
            case CallState.DeadLettered dead -> {
                inFlight.delete(id);
                log.warn("Request {} dead-lettered after {} attempts: {} ({})", request.getRequestId(),
                        call.getAttempts(), dead.reason(), stage.redact().apply(dead.lastError().getMessage()));
                telemetry.deadLettered(request, dead.reason(), dead.lastError(), now);
                context.forward(CallRecords.deadLetter(call, dead, now, stage.redact()));
            }
        }
    }

    /** Sends attempt n+1 to {@code target}; its result comes back through {@link #completions}. */
    private void call(String id, InFlightCall call, TargetChooser.Call target) {
        if (target.index() != call.getTarget()) {
            call.setTarget(target.index());
            call.setTargetAttempts(0);
        }
        int attempt = call.getAttempts() + 1;
        call.setAttempts(attempt);
        call.setTargetAttempts(call.getTargetAttempts() + 1);
        inFlight.put(id, call);
        queues.started();
        PromptRequest request = call.getRequest();
        String provider = target.target().provider();
        long started = System.nanoTime();
        CompletableFuture<ProviderReply> pending;
        try {
            pending = target.provider().complete(request, target.target().model(), target.timeout());
        } catch (RuntimeException e) {
            pending = CompletableFuture.failedFuture(e);
        }
        pending.whenComplete((reply, failure) -> stage.bulkheads().release(provider));
        // The JDK client's timeout stops covering a call once headers arrive; a stalled body must end too.
        pending.orTimeout(target.timeout().toMillis() + 1_000, TimeUnit.MILLISECONDS).whenComplete((reply, failure) ->
                queues.finished(new Completion(id, attempt, request, target.target(), reply,
                        failure == null ? null : ProviderException.classify(target.provider().name(), failure),
                        System.nanoTime() - started, target.breaker())));
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
            Completion completion = queues.awaitCompletion(untilNanos);
            if (completion != null) {
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
            while ((completion = queues.nextCompletion()) != null) {
                handleSafely(completion);
                progressed = true;
            }
            long now = context.currentSystemTimeMs();
            String id;
            while ((id = queues.nextDue(now)) != null) {
                InFlightCall call = inFlight.get(id);
                if (call != null && call.getParkedUntil() == null) { // a parked call comes back through its tier
                    next(id, call);
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
                giveUp(done.requestId(), call, DeadLetterReason.PROCESSING_ERROR, new ProviderException("sluice", 0,
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
            moveTo(done.requestId(), call, new CallState.Answered(response, true));
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
        RouteTable.Target target = chainOf(call.getRequest()).get(call.getTarget());
        failures.add(new FailedAttempt(done.attempt(), target.toString(), error.status(), error.errorClass(),
                call.getLastError(), Instant.ofEpochMilli(now)));
        call.setFailures(failures);
        telemetry.failedAttempt(done, call.getLastError());
        switch (retryPolicy.afterFailure(call, error, chainOf(call.getRequest()).size(), now)) {
            case RetryPolicy.Next.SameTarget same -> {
                telemetry.retrying(error, "same_target");
                log.info("Request {} retries {} in {} ms", call.getRequest().getRequestId(), target, same.at() - now);
                moveTo(done.requestId(), call, new CallState.Waiting(same.at()));
            }
            case RetryPolicy.Next.NextTarget fallback -> {
                telemetry.retrying(error, "fallback");
                call.setTarget(call.getTarget() + 1);
                call.setTargetAttempts(0);
                moveTo(done.requestId(), call, new CallState.Waiting(now)); // the fallback is tried at once
            }
            case RetryPolicy.Next.GiveUp giveUp -> giveUp(done.requestId(), call, giveUp.reason(), error);
        }
    }

    /** No target answered: the ladder decides between the cache, the degraded answer, a retry tier and a dead letter. */
    private void giveUp(String id, InFlightCall call, DeadLetterReason reason, ProviderException error) {
        long now = context.currentSystemTimeMs();
        CallState ending = ladder.decide(call, reason, error, now, this::cached);
        if (ending instanceof CallState.Answered answered) {
            log.warn("Request {} answered {} after {} attempts: {}", call.getRequest().getRequestId(),
                    answered.response().getStatus(), call.getAttempts(), reason);
        }
        moveTo(id, call, ending);
    }

    private Optional<PromptResponse> cached(PromptRequest request) {
        return stage.cache().lookup(cache, request, context.currentSystemTimeMs());
    }

    private PromptResponse response(InFlightCall call, Completion done, long now) {
        PromptRequest request = call.getRequest();
        ProviderReply reply = done.reply();
        RouteTable.Target target = chainOf(request).get(call.getTarget());
        String variant = routes.canary(request.getRoute()).isEmpty() ? null
                : routes.inCanary(request.getRoute(), Keys.user(request)) ? "canary" : "stable";
        if (variant != null) {
            telemetry.canaryAttempt(request.getRoute(), variant, done.latencyNanos());
        }
        return Answers.fromReply(request, target, call.getTarget() == 0, reply, done.latencyMs(), call.getAttempts(),
                variant, now, settings.prices());
    }

    /** The targets a request is tried on, with the route's canary candidate first for users in the canary. */
    private List<RouteTable.Target> chainOf(PromptRequest request) {
        return routes.chainFor(request.getRoute(), Keys.user(request));
    }
}
