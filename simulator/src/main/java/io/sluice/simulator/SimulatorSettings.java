package io.sluice.simulator;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Everything that decides how the simulated providers behave. Immutable; change one aspect with a {@code withX}
 * method and hand the result to {@link ProviderSimulator#settings(SimulatorSettings)}. The defaults answer fast and
 * healthy, so a test only states the misbehaviour it is about.
 *
 * @param latency            delay before each answer that passed the gate
 * @param errors             probabilities of injected faults
 * @param retryAfterSeconds  retry-after sent with injected 429s
 * @param hangSeconds        how long a "timeout" fault keeps the caller waiting before dropping the connection
 * @param rateLimitPerSecond token-bucket rate (bursts up to one second's worth) above which calls get 429; 0 is off
 * @param outageWindows      scheduled outages, relative to the server's start
 * @param outage             while true, every call answers 503
 * @param apiKey             the key callers must send; null accepts anything, including no key
 * @param seed               seeds the random draws, so the same settings and call order give the same outcomes
 * @param outputTokens       completion length when the caller's max tokens does not cap it
 * @param cachedFraction     share of prompt tokens reported as served from the prompt cache
 * @param reasoningFraction  share of completion tokens reported as reasoning (OpenAI usage details)
 */
public record SimulatorSettings(Latency latency, ErrorRates errors, int retryAfterSeconds, int hangSeconds,
                                double rateLimitPerSecond, List<OutageWindow> outageWindows, boolean outage,
                                String apiKey, long seed, int outputTokens, double cachedFraction,
                                double reasoningFraction) {

    public SimulatorSettings {
        latency = latency == null ? Latency.fixed(50) : latency;
        errors = errors == null ? ErrorRates.none() : errors;
        outageWindows = outageWindows == null ? List.of() : List.copyOf(outageWindows);
        require(retryAfterSeconds >= 0, "retryAfterSeconds must not be negative");
        require(hangSeconds >= 1, "hangSeconds must be at least 1");
        require(rateLimitPerSecond >= 0, "rateLimitPerSecond must not be negative (0 turns the limit off)");
        require(outputTokens >= 1, "outputTokens must be at least 1");
        require(cachedFraction >= 0 && cachedFraction <= 1, "cachedFraction must be within 0..1");
        require(reasoningFraction >= 0 && reasoningFraction <= 1, "reasoningFraction must be within 0..1");
    }

    /** Fast, healthy answers: 50 ms fixed latency, no faults, no limits, no key, 32 output tokens. */
    public static SimulatorSettings defaults() {
        return new SimulatorSettings(Latency.fixed(50), ErrorRates.none(), 1, 120, 0, List.of(), false, null, 42,
                32, 0, 0);
    }

    /** Reads settings from a JSON file; fields it leaves out keep their {@link #defaults()}. */
    public static SimulatorSettings fromJson(Path file) {
        try {
            return fromJson(Files.readString(file));
        } catch (IOException e) {
            throw new SimulatorException("cannot read settings file " + file, e);
        }
    }

    /** Parses settings JSON; top-level fields it leaves out keep their {@link #defaults()}. */
    public static SimulatorSettings fromJson(String json) {
        try {
            JsonNode given = Json.MAPPER.readTree(json);
            if (given == null || !given.isObject()) {
                throw new SimulatorException("settings JSON must be an object");
            }
            // Merging onto the defaults' tree (rather than binding directly) keeps non-zero defaults such as
            // outputTokens when the JSON omits them; Jackson would otherwise bind missing numbers as 0.
            ObjectNode merged = Json.MAPPER.valueToTree(defaults());
            merged.setAll((ObjectNode) given);
            return Json.MAPPER.treeToValue(merged, SimulatorSettings.class);
        } catch (JsonProcessingException e) {
            throw new SimulatorException("invalid settings JSON: " + e.getOriginalMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new SimulatorException("invalid settings JSON: " + e.getMessage(), e);
        }
    }

    public String toJson() {
        return Json.write(this);
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new SimulatorException(message);
        }
    }

    public SimulatorSettings withLatency(Latency value) {
        return new SimulatorSettings(value, errors, retryAfterSeconds, hangSeconds, rateLimitPerSecond,
                outageWindows, outage, apiKey, seed, outputTokens, cachedFraction, reasoningFraction);
    }

    public SimulatorSettings withErrors(ErrorRates value) {
        return new SimulatorSettings(latency, value, retryAfterSeconds, hangSeconds, rateLimitPerSecond,
                outageWindows, outage, apiKey, seed, outputTokens, cachedFraction, reasoningFraction);
    }

    public SimulatorSettings withRetryAfterSeconds(int value) {
        return new SimulatorSettings(latency, errors, value, hangSeconds, rateLimitPerSecond,
                outageWindows, outage, apiKey, seed, outputTokens, cachedFraction, reasoningFraction);
    }

    public SimulatorSettings withHangSeconds(int value) {
        return new SimulatorSettings(latency, errors, retryAfterSeconds, value, rateLimitPerSecond,
                outageWindows, outage, apiKey, seed, outputTokens, cachedFraction, reasoningFraction);
    }

    public SimulatorSettings withRateLimitPerSecond(double value) {
        return new SimulatorSettings(latency, errors, retryAfterSeconds, hangSeconds, value,
                outageWindows, outage, apiKey, seed, outputTokens, cachedFraction, reasoningFraction);
    }

    public SimulatorSettings withOutageWindows(List<OutageWindow> value) {
        return new SimulatorSettings(latency, errors, retryAfterSeconds, hangSeconds, rateLimitPerSecond,
                value, outage, apiKey, seed, outputTokens, cachedFraction, reasoningFraction);
    }

    public SimulatorSettings withOutage(boolean value) {
        return new SimulatorSettings(latency, errors, retryAfterSeconds, hangSeconds, rateLimitPerSecond,
                outageWindows, value, apiKey, seed, outputTokens, cachedFraction, reasoningFraction);
    }

    public SimulatorSettings withApiKey(String value) {
        return new SimulatorSettings(latency, errors, retryAfterSeconds, hangSeconds, rateLimitPerSecond,
                outageWindows, outage, value, seed, outputTokens, cachedFraction, reasoningFraction);
    }

    public SimulatorSettings withSeed(long value) {
        return new SimulatorSettings(latency, errors, retryAfterSeconds, hangSeconds, rateLimitPerSecond,
                outageWindows, outage, apiKey, value, outputTokens, cachedFraction, reasoningFraction);
    }

    public SimulatorSettings withOutputTokens(int value) {
        return new SimulatorSettings(latency, errors, retryAfterSeconds, hangSeconds, rateLimitPerSecond,
                outageWindows, outage, apiKey, seed, value, cachedFraction, reasoningFraction);
    }

    public SimulatorSettings withCachedFraction(double value) {
        return new SimulatorSettings(latency, errors, retryAfterSeconds, hangSeconds, rateLimitPerSecond,
                outageWindows, outage, apiKey, seed, outputTokens, value, reasoningFraction);
    }

    public SimulatorSettings withReasoningFraction(double value) {
        return new SimulatorSettings(latency, errors, retryAfterSeconds, hangSeconds, rateLimitPerSecond,
                outageWindows, outage, apiKey, seed, outputTokens, cachedFraction, value);
    }
}
