package io.sluice.simulator;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * A snapshot of what the simulator has served since start or the last reset. Counts cover the provider endpoints
 * only, not the {@code /_sim} admin calls.
 *
 * @param totalRequests provider calls received
 * @param byEndpoint    calls per endpoint: openai.chat.completions, anthropic.messages, openai.models
 * @param byStatus      finished calls per HTTP status ("200", "429", ...), plus "reset" for dropped connections,
 *                      "timeout" for hangs that ran out, "client-closed" for callers that gave up first
 * @param byProtocol    calls per HTTP version by its ALPN name: "http/1.1", "h2" (TLS or cleartext alike)
 * @param inFlight      calls received and not yet finished
 * @param maxInFlight   the highest inFlight seen
 */
public record SimulatorStats(long totalRequests, Map<String, Long> byEndpoint, Map<String, Long> byStatus,
                             Map<String, Long> byProtocol, long inFlight, long maxInFlight) {
    public SimulatorStats {
        // Sorted so that the admin endpoint's JSON reads the same from one call to the next.
        byEndpoint = Collections.unmodifiableMap(new TreeMap<>(byEndpoint));
        byStatus = Collections.unmodifiableMap(new TreeMap<>(byStatus));
        byProtocol = Collections.unmodifiableMap(new TreeMap<>(byProtocol));
    }

    /** Finished calls with the given status key, 0 when none. */
    public long status(String key) {
        return byStatus.getOrDefault(key, 0L);
    }

    public long status(int httpStatus) {
        return status(String.valueOf(httpStatus));
    }
}
