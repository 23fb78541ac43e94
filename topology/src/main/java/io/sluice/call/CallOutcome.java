package io.sluice.call;

import io.sluice.provider.ProviderException;
import io.sluice.schemas.DeadLetterReason;
import io.sluice.schemas.PromptRequest;
import io.sluice.schemas.PromptResponse;

/** How the call stage ended a request. */
public sealed interface CallOutcome {

    /** A provider answered. */
    record Answered(PromptResponse response) implements CallOutcome {}

    /**
     * The request id was answered before (within the dedup retention): a producer's resend or a replay. Nothing is
     * called or emitted; the budget stage is told so it releases what it reserved for the copy.
     */
    record Duplicate(PromptRequest request) implements CallOutcome {}

    /**
     * No target could answer for a retryable reason, and a retry tier is left: the request waits on tier
     * {@code tier}'s topic until {@code dueAt}, then comes back to the call stage. Not terminal, so not settled.
     */
    record Delayed(PromptRequest request, int tier, long dueAt) implements CallOutcome {}

    /** No provider could answer; the request goes to the dead-letter topic with why. */
    record DeadLettered(PromptRequest request, DeadLetterReason reason, ProviderException lastError, int attempts)
            implements CallOutcome {}
}
