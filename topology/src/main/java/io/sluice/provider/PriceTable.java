package io.sluice.provider;

import io.sluice.config.SluiceConfig;
import io.sluice.config.SluiceConfigDef;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.config.ConfigException;

/**
 * Prices per million tokens in integer micro-dollars, per model, under a version name that every priced response
 * records ({@code priceVersion}). Built-in defaults for common models; {@code prices.models} overrides or adds models,
 * and then {@code prices.version} must name the new table, so that a response always says which prices it was
 * charged at.
 */
public final class PriceTable {
    public static final String BUILTIN_VERSION = SluiceConfigDef.BUILTIN_PRICES_VERSION;

    /** Micro-dollars per million input, cached-input and output tokens. */
    public record Price(long inputPerMillion, long cachedInputPerMillion, long outputPerMillion) {}

    private static final Map<String, Price> BUILTIN = Map.of(
            "gpt-4o-mini", new Price(150_000, 75_000, 600_000),
            "gpt-4o", new Price(2_500_000, 1_250_000, 10_000_000),
            "claude-sonnet-4-5", new Price(3_000_000, 300_000, 15_000_000),
            "claude-haiku-4-5", new Price(1_000_000, 100_000, 5_000_000));

    private final String version;
    private final Map<String, Price> prices;

    private PriceTable(String version, Map<String, Price> prices) {
        this.version = version;
        this.prices = Map.copyOf(prices);
    }

    /** The built-in table. */
    public static PriceTable builtin() {
        return new PriceTable(BUILTIN_VERSION, BUILTIN);
    }

    /** The built-in table with {@code prices.models} laid over it, named {@code prices.version}. */
    public static PriceTable from(SluiceConfig config) {
        String version = config.string(SluiceConfigDef.PRICES_VERSION);
        Map<String, Price> prices = new HashMap<>(BUILTIN);
        var entries = config.getList(SluiceConfigDef.PRICES_MODELS);
        for (String entry : entries) {
            String[] parts = entry.trim().split(":");
            try {
                if (parts.length != 4 || parts[0].isBlank()) {
                    throw new IllegalArgumentException();
                }
                Price price = new Price(Long.parseLong(parts[1].trim()), Long.parseLong(parts[2].trim()),
                        Long.parseLong(parts[3].trim()));
                if (price.inputPerMillion() < 0 || price.cachedInputPerMillion() < 0 || price.outputPerMillion() < 0) {
                    throw new IllegalArgumentException();
                }
                prices.put(parts[0].trim(), price);
            } catch (IllegalArgumentException e) {
                throw new ConfigException(SluiceConfigDef.PRICES_MODELS, entry, "each entry is model:input:cached_input"
                        + ":output in micro-dollars per million tokens, e.g. gpt-4o:2500000:1250000:10000000");
            }
        }
        if (!entries.isEmpty() && BUILTIN_VERSION.equals(version)) {
            throw new ConfigException(SluiceConfigDef.PRICES_VERSION, version, "prices.models changes the prices,"
                    + " so name the new table (e.g. prices.version=2026-12-contract): every response records it");
        }
        return new PriceTable(version, prices);
    }

    public String version() {
        return version;
    }

    public Optional<Price> price(String model) {
        return Optional.ofNullable(prices.get(model));
    }

    /** Context windows in tokens (input plus output) of the models Sluice knows; others are assumed large enough. */
    private static final Map<String, Long> CONTEXT_WINDOWS = Map.of(
            "gpt-4o-mini", 128_000L,
            "gpt-4o", 128_000L,
            "claude-sonnet-4-5", 200_000L,
            "claude-haiku-4-5", 200_000L);

    /** Whether {@code tokens} (input plus requested output) fit the model's context window. */
    public static boolean fits(String model, long tokens) {
        return tokens <= CONTEXT_WINDOWS.getOrDefault(model, Long.MAX_VALUE);
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
