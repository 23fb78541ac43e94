package io.sluice.call;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.sluice.config.SluiceConfig;
import io.sluice.config.SluiceConfigDef;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;

/**
 * The most calls in flight at once per provider, across every stream task of the instance. A call that finds its
 * provider's bulkhead full is not attempted: it waits in the call stage's queue and tries again shortly. Permits are
 * released by the HTTP client's threads when a call ends, which touches no state store.
 */
public final class Bulkheads {
    public static final String IN_USE_METRIC = "sluice.provider.calls.in.flight";

    private final int maxPerProvider;
    private final MeterRegistry meters;
    private final Map<String, Semaphore> byProvider = new ConcurrentHashMap<>();

    public Bulkheads(int maxPerProvider, MeterRegistry meters) {
        this.maxPerProvider = maxPerProvider;
        this.meters = meters;
    }

    /** The instance's bulkheads, each provider's calls in flight reported on {@code meters}. */
    public static Bulkheads from(SluiceConfig config, MeterRegistry meters) {
        return new Bulkheads(config.integer(SluiceConfigDef.BULKHEAD_MAX_CALLS), meters);
    }

    /** A permit for one call to {@code provider}, or false when its bulkhead is full. */
    public boolean tryAcquire(String provider) {
        return semaphore(provider).tryAcquire();
    }

    public void release(String provider) {
        semaphore(provider).release();
    }

    private Semaphore semaphore(String provider) {
        return byProvider.computeIfAbsent(provider, p -> {
            Semaphore semaphore = new Semaphore(maxPerProvider);
            Gauge.builder(IN_USE_METRIC, semaphore, s -> maxPerProvider - s.availablePermits())
                    .tag("provider", p).register(meters);
            return semaphore;
        });
    }
}
