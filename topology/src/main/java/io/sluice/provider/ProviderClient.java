package io.sluice.provider;

import io.sluice.schemas.PromptRequest;
import java.util.concurrent.CompletableFuture;

/**
 * One provider's chat API. Calls never block the caller: the future completes on the HTTP client's threads with a
 * {@link ProviderReply}, or exceptionally with a {@link ProviderException} saying whether a retry may help.
 */
public interface ProviderClient {

    /** Provider name as used in routes, e.g. {@code openai}. */
    String name();

    /** Calls {@code model} for {@code request} within {@code timeouts}. */
    CompletableFuture<ProviderReply> complete(PromptRequest request, String model, CallTimeouts timeouts);
}
