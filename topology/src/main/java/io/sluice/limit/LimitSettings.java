package io.sluice.limit;

import io.sluice.config.SluiceConfig;
import io.sluice.config.SluiceConfigDef;

/**
 * The limit stage's settings, read once from its keys ({@code limits.*}, {@code limits.tier.<tier>.*},
 * {@code tenants.tiers}); the budget stage judges a request's time and tokens the same way.
 *
 * @param defaultOutputTokens output tokens counted for a request that does not say how many it wants
 * @param maxFutureSkewMs how far past the wall clock a request's own time may lie before it is clamped
 */
public record LimitSettings(LimitTable table, int defaultOutputTokens, long maxFutureSkewMs) {
    public static LimitSettings from(SluiceConfig config) {
        return new LimitSettings(LimitTable.from(config), config.integer(SluiceConfigDef.DEFAULT_OUTPUT_TOKENS),
                config.getLong(SluiceConfigDef.LIMITS_MAX_FUTURE_SKEW_MS));
    }
}
