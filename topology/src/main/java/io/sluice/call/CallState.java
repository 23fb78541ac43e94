package io.sluice.call;

import io.sluice.provider.ProviderException;
import io.sluice.schemas.DeadLetterReason;
import io.sluice.schemas.PromptResponse;

/**
 * Where a request is in the call stage. The stage's deciders ({@link TargetChooser}, {@link RetryPolicy},
 * {@link GiveUpLadder}) each answer with the next state; only {@link CallTransitions} moves a request into it,
 * writing the in-flight store and forwarding records. A request that is waiting, calling or parked has an entry in the
 * in-flight store (a parked one marked with its tier); an answered or dead-lettered one has none.
 */
sealed interface CallState {
    /**
     * Waiting in its task until {@code dueAt}: a backoff, a provider's quota or bulkhead, open circuits, or a fallback
     * target that is due at once.
     */
    record Waiting(long dueAt) implements CallState {}

    /** An attempt on {@code target} is about to go out. */
    record Calling(TargetChooser.Call target) implements CallState {}

    /** On retry tier {@code tier}'s topic until {@code dueAt}, which brings it back; {@code reason} is why. */
    record Parked(int tier, long dueAt, DeadLetterReason reason) implements CallState {}

    /**
     * Answered: by a provider, the response cache or the route's degraded answer. {@code remembered} answers are
     * recorded for dedup, so a resend is not called again; a degraded one is not, so a resend gets a real try.
     */
    record Answered(PromptResponse response, boolean remembered) implements CallState {}

    /** On the dead-letter topic, for {@code reason}, after {@code lastError}. */
    record DeadLettered(DeadLetterReason reason, ProviderException lastError) implements CallState {}
}
