package io.sluice.simulator;

import io.vertx.core.http.HttpVersion;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/** Counts calls from all event loops without locks; LongAdder keeps contention off the hot path. */
final class StatsRecorder {
    private final LongAdder total = new LongAdder();
    private final Map<String, LongAdder> byEndpoint = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> byStatus = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> byProtocol = new ConcurrentHashMap<>();
    private final AtomicLong inFlight = new AtomicLong();
    private final AtomicLong maxInFlight = new AtomicLong();

    void begin(String endpoint, HttpVersion protocol) {
        total.increment();
        byEndpoint.computeIfAbsent(endpoint, k -> new LongAdder()).increment();
        byProtocol.computeIfAbsent(protocol.alpnName(), k -> new LongAdder()).increment();
        long now = inFlight.incrementAndGet();
        maxInFlight.accumulateAndGet(now, Math::max);
    }

    void finish(String statusKey) {
        byStatus.computeIfAbsent(statusKey, k -> new LongAdder()).increment();
        inFlight.decrementAndGet();
    }

    /** Clears the counters; calls still in flight stay counted, so finishing them keeps inFlight right. */
    void reset() {
        total.reset();
        byEndpoint.clear();
        byStatus.clear();
        byProtocol.clear();
        maxInFlight.set(inFlight.get());
    }

    SimulatorStats snapshot() {
        return new SimulatorStats(total.sum(), sums(byEndpoint), sums(byStatus), sums(byProtocol), inFlight.get(),
                maxInFlight.get());
    }

    private static Map<String, Long> sums(Map<String, LongAdder> counters) {
        Map<String, Long> result = new TreeMap<>();
        counters.forEach((key, adder) -> result.put(key, adder.sum()));
        return result;
    }
}
