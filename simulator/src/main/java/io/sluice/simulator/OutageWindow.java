package io.sluice.simulator;

import java.util.Set;

/**
 * A period, relative to the simulator's start, during which every provider call fails the same way, as during a real
 * provider incident.
 *
 * @param startOffsetMs when the outage begins, in ms after the server started
 * @param durationMs    how long it lasts
 * @param status        what callers get: "503" (default), "500", "529", "429", or "reset" to drop the connection
 */
public record OutageWindow(long startOffsetMs, long durationMs, String status) {
    private static final Set<String> STATUSES = Set.of("500", "503", "529", "429", "reset");

    public OutageWindow {
        status = status == null ? "503" : status.trim().toLowerCase();
        if (startOffsetMs < 0 || durationMs < 0) {
            throw new SimulatorException("outage window offsets must not be negative");
        }
        if (!STATUSES.contains(status)) {
            throw new SimulatorException("outage window status must be one of " + STATUSES + ", got " + status);
        }
    }

    public static OutageWindow unavailable(long startOffsetMs, long durationMs) {
        return new OutageWindow(startOffsetMs, durationMs, "503");
    }

    public static OutageWindow connectionResets(long startOffsetMs, long durationMs) {
        return new OutageWindow(startOffsetMs, durationMs, "reset");
    }

    boolean covers(long offsetMs) {
        return offsetMs >= startOffsetMs && offsetMs < startOffsetMs + durationMs;
    }

    Outcome outcome() {
        return switch (status) {
            case "500" -> Outcome.SERVER_ERROR;
            case "529" -> Outcome.OVERLOADED;
            case "429" -> Outcome.RATE_LIMITED;
            case "reset" -> Outcome.CONNECTION_RESET;
            default -> Outcome.UNAVAILABLE;
        };
    }
}
