package io.sluice.call;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.sluice.config.RouteTable;
import io.sluice.provider.ProviderException;
import io.sluice.provider.ProviderReply;
import io.sluice.schemas.PromptRequest;
import java.util.concurrent.TimeUnit;

/**
 * A provider call attempt that ended, as the HTTP client's thread hands it to the stream thread: {@code requestId} is
 * the in-flight store key, {@code target} who was called, and either {@code reply} or {@code error} is set.
 */
record Completion(String requestId, int attempt, PromptRequest request, RouteTable.Target target,
                  ProviderReply reply, ProviderException error, long latencyNanos, CircuitBreaker breaker) {
    long latencyMs() {
        return TimeUnit.NANOSECONDS.toMillis(latencyNanos);
    }
}
