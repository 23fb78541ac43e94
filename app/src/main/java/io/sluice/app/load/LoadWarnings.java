package io.sluice.app.load;

import io.sluice.config.SluiceConfig;
import io.sluice.config.SluiceConfigDef;
import io.sluice.limit.Limit;
import io.sluice.limit.LimitTable;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What a load run's settings will run into besides what it asks for: users or tenants over their configured
 * limits (more RATE_LIMITED than {@code --over-limit}), prompts over the sanitizer's caps (TOO_LARGE). Said before
 * the run, so a surprising count in the summary is not read as a fault of Sluice.
 */
public final class LoadWarnings {
    /** Characters a prompt token of the load tool's words takes, at most: a short word and its space. */
    private static final int CHARS_PER_TOKEN = 8;

    /** A load run's tenants are new, so in no tier: the default limits apply to them and their users. */
    static final String NO_TIER = "";

    private LoadWarnings() {}

    /**
     * @param total requests the run sends (infinite when it runs for a time at a concurrency)
     * @param rate requests per second (infinite at a concurrency: any window may see all of them)
     */
    public static List<String> of(SluiceConfig config, double total, double rate, int users, int tenants,
                           LoadTraffic.PromptTokens tokens, double malformed, double overLimit) {
        List<String> warnings = new ArrayList<>();
        LimitTable limits = LimitTable.from(config);
        double valid = 1 - malformed - overLimit; // the rest is rejected before the limits, or the hot user's
        for (Limit.Scope scope : Limit.Scope.values()) {
            int keys = scope == Limit.Scope.USER ? users : tenants;
            for (Limit limit : limits.limits(scope, NO_TIER)) {
                double amount = use(limit, total, rate, tokens, valid) / keys;
                if (Double.isInfinite(amount)) {
                    continue;
                }
                if (amount > limit.max()) {
                    warnings.add(String.format(Locale.ROOT, "each of the %d %ss would use about %,.0f %s a %s, over"
                                    + " limits.%s=%,d: expect RATE_LIMITED rejections beyond --over-limit; raise --%ss"
                                    + " or the limit", keys, scope.word(), amount, limit.measure().word(),
                            limit.window().word(), limit.name(), limit.max(), scope.word()));
                }
            }
        }
        int maxTokens = config.integer(SluiceConfigDef.SANITIZE_MAX_TOKENS);
        if (tokens.max() > maxTokens) {
            warnings.add("prompts of up to " + tokens.max() + " tokens are over sanitize.max.tokens=" + maxTokens
                    + ": those are rejected TOO_LARGE");
        }
        int maxChars = config.integer(SluiceConfigDef.SANITIZE_MAX_CHARS);
        if ((long) tokens.max() * CHARS_PER_TOKEN > maxChars) {
            warnings.add("prompts of up to " + tokens.max() + " tokens may be over sanitize.max.chars=" + maxChars
                    + ": those are rejected TOO_LARGE");
        }
        return warnings;
    }

    /**
     * The fewest users among whom a run's valid requests stay within every per-user limit of a tenant in no tier
     * (at least 1): what a benchmark that must not be refused sends from.
     */
    public static int usersNeeded(SluiceConfig config, double total, double rate, LoadTraffic.PromptTokens tokens,
                           double valid) {
        double needed = 1;
        for (Limit limit : LimitTable.from(config).limits(Limit.Scope.USER, NO_TIER)) {
            double amount = use(limit, total, rate, tokens, valid);
            if (!Double.isInfinite(amount)) {
                needed = Math.max(needed, Math.ceil(amount / limit.max()));
            }
        }
        return (int) Math.min(Integer.MAX_VALUE, needed);
    }

    /**
     * What all the run's valid requests together use of {@code limit} in its busiest window: requests, or their
     * tokens (prompt and output); infinite when a run at a concurrency for a time has no bound.
     */
    private static double use(Limit limit, double total, double rate, LoadTraffic.PromptTokens tokens, double valid) {
        double requests = valid * Math.min(total, rate * limit.window().lengthMs() / 1000.0);
        return limit.measure() == Limit.Measure.REQUESTS ? requests
                : requests * (tokens.mean() + LoadTraffic.OUTPUT_TOKENS);
    }
}
