package io.sluice.provider;

import java.util.Map;
import java.util.Optional;

/**
 * Prices per million tokens in integer micro-dollars, per model. A small built-in table; the versioned,
 * configurable table of the accounting stage replaces it.
 */
public final class PriceTable {
    public static final String VERSION = "builtin-2026-11";

    /** Micro-dollars per million input, cached-input and output tokens. */
    public record Price(long inputPerMillion, long cachedInputPerMillion, long outputPerMillion) {}

    private static final Map<String, Price> PRICES = Map.of(
            "gpt-4o-mini", new Price(150_000, 75_000, 600_000),
            "gpt-4o", new Price(2_500_000, 1_250_000, 10_000_000),
            "claude-sonnet-4-5", new Price(3_000_000, 300_000, 15_000_000),
            "claude-haiku-4-5", new Price(1_000_000, 100_000, 5_000_000));

    /** Context windows in tokens (input plus output) of the models Sluice knows; others are assumed large enough. */
    private static final Map<String, Long> CONTEXT_WINDOWS = Map.of(
            "gpt-4o-mini", 128_000L,
            "gpt-4o", 128_000L,
            "claude-sonnet-4-5", 200_000L,
            "claude-haiku-4-5", 200_000L);

    private PriceTable() {}

    /** Whether {@code tokens} (input plus requested output) fit the model's context window. */
    public static boolean fits(String model, long tokens) {
        return tokens <= CONTEXT_WINDOWS.getOrDefault(model, Long.MAX_VALUE);
    }

    public static Optional<Price> price(String model) {
        return Optional.ofNullable(PRICES.get(model));
    }

    /** An upper estimate in micro-dollars (rounded up), for reserving budget before a call. */
    public static long estimateMicros(Price price, long inputTokens, long outputTokens) {
        long numerator = inputTokens * price.inputPerMillion() + outputTokens * price.outputPerMillion();
        return (numerator + 999_999) / 1_000_000;
    }

    /** Cost in micro-dollars, rounded half up; cached input tokens are billed at the cached price. */
    public static long costMicros(Price price, long inputTokens, long cachedInputTokens, long outputTokens) {
        long uncached = Math.max(0, inputTokens - cachedInputTokens);
        long numerator = uncached * price.inputPerMillion() + cachedInputTokens * price.cachedInputPerMillion()
                + outputTokens * price.outputPerMillion();
        return (numerator + 500_000) / 1_000_000;
    }
}
