package io.sluice.call;

import io.sluice.provider.ProviderException;
import io.sluice.schemas.DeadLetterReason;
import io.sluice.schemas.PromptRequest;
import io.sluice.schemas.PromptResponse;
import io.sluice.schemas.ResponseStatus;
import io.sluice.schemas.internal.InFlightCall;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Function;

/**
 * What becomes of a request no target answered. In order, it gets: an earlier answer to the same prompt (routes with
 * a cache), the route's degraded answer, a retry tier (trouble with the providers, a tier left, due before the
 * deadline), or the dead-letter topic. A processing error always dead-letters: it says nothing about the providers.
 */
final class GiveUpLadder {
    private final CallStage stage;

    GiveUpLadder(CallStage stage) {
        this.stage = stage;
    }

    /**
     * The state the request ends in; {@code cached} looks up an earlier answer to its prompt (only asked on a route
     * with a cache).
     */
    CallState decide(InFlightCall call, DeadLetterReason reason, ProviderException error, long now,
                     Function<PromptRequest, Optional<PromptResponse>> cached) {
        PromptRequest request = call.getRequest();
        boolean processingError = reason == DeadLetterReason.PROCESSING_ERROR;
        if (!processingError && stage.cache().enabled(request.getRoute())) {
            Optional<PromptResponse> earlier = cached.apply(request);
            if (earlier.isPresent()) {
                return new CallState.Answered(Answers.fromCache(request, earlier.get(),
                        ResponseStatus.CACHED_FALLBACK, call.getAttempts(), now), true);
            }
        }
        String degraded = stage.settings().degradedAnswers().get(request.getRoute());
        if (degraded != null && !processingError) {
            return new CallState.Answered(Answers.degraded(request, degraded, call.getAttempts(), now), false);
        }
        int tier = call.getRetryTier() + 1;
        if (reason.providerTrouble() && tier <= stage.retryTiers().count()) {
            long dueAt = now + stage.retryTiers().delay(tier).toMillis();
            Instant deadline = request.getDeadline();
            if (deadline == null || dueAt < deadline.toEpochMilli()) {
                return new CallState.Parked(tier, dueAt, reason);
            }
        }
        return new CallState.DeadLettered(reason, error);
    }
}
