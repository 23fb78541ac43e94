package io.sluice.topology;

import io.sluice.provider.CallTimeouts;
import io.sluice.provider.ProviderClient;
import io.sluice.provider.ProviderException;
import io.sluice.provider.ProviderReply;
import io.sluice.schemas.PromptRequest;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/** A provider at the edge of the unit tests: answers from a script, then with the default answer. */
final class ScriptedProvider implements ProviderClient {
    private final String name;
    private final Deque<CompletableFuture<ProviderReply>> script = new ArrayDeque<>();
    final AtomicInteger calls = new AtomicInteger();
    /** What the provider was last sent: the request as the call stage passed it on. */
    volatile PromptRequest lastRequest;

    ScriptedProvider(String name) {
        this.name = name;
    }

    static ProviderReply reply(String model, long in, long out) {
        return new ProviderReply(model, "An answer.", "stop", in, out, 0, 0);
    }

    static ProviderException failure(int status, boolean retryable) {
        return new ProviderException("openai", status, status == 503 ? "server_error" : "unauthorized", retryable,
                null, "scripted HTTP " + status);
    }

    ScriptedProvider thenAnswer(ProviderReply reply) {
        script.add(CompletableFuture.completedFuture(reply));
        return this;
    }

    ScriptedProvider thenFail(ProviderException error) {
        script.add(CompletableFuture.failedFuture(error));
        return this;
    }

    /** The next call gets {@code pending}, which the test completes when it chooses. */
    ScriptedProvider thenPending(CompletableFuture<ProviderReply> pending) {
        script.add(pending);
        return this;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public synchronized CompletableFuture<ProviderReply> complete(PromptRequest request, String model,
                                                                  CallTimeouts timeouts) {
        calls.incrementAndGet();
        lastRequest = request;
        CompletableFuture<ProviderReply> next = script.poll();
        return next != null ? next : CompletableFuture.completedFuture(reply(model, 1000, 500));
    }
}
