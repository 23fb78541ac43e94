package io.sluice.config;

import static org.apache.kafka.common.config.ConfigDef.Importance.HIGH;
import static org.apache.kafka.common.config.ConfigDef.Importance.LOW;
import static org.apache.kafka.common.config.ConfigDef.Importance.MEDIUM;
import static org.apache.kafka.common.config.ConfigDef.Range.atLeast;

import java.util.List;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Type;

/**
 * The limit stage: requests and estimated tokens per user and per tenant in rolling windows, and tenant tiers.
 */
interface LimitKeys {
    String LIMIT_USER_RPM = "limits.user.requests.per.minute";
    String LIMIT_USER_RPH = "limits.user.requests.per.hour";
    String LIMIT_USER_RPD = "limits.user.requests.per.day";
    String LIMIT_USER_TPM = "limits.user.tokens.per.minute";
    String LIMIT_USER_TPD = "limits.user.tokens.per.day";
    String LIMIT_TENANT_RPM = "limits.tenant.requests.per.minute";
    String LIMIT_TENANT_RPH = "limits.tenant.requests.per.hour";
    String LIMIT_TENANT_RPD = "limits.tenant.requests.per.day";
    String LIMIT_TENANT_TPM = "limits.tenant.tokens.per.minute";
    String LIMIT_TENANT_TPD = "limits.tenant.tokens.per.day";
    String TENANT_TIERS = "tenants.tiers";
    String LIMITS_MAX_FUTURE_SKEW_MS = "limits.max.future.skew.ms";
    String DEFAULT_OUTPUT_TOKENS = "limits.default.output.tokens";
    /** Every windowed limit key; tiers override them as limits.tier.<tier>.<key without "limits.">. */
    List<String> LIMIT_KEYS = List.of(LIMIT_USER_RPM, LIMIT_USER_RPH, LIMIT_USER_RPD, LIMIT_USER_TPM,
            LIMIT_USER_TPD, LIMIT_TENANT_RPM, LIMIT_TENANT_RPH, LIMIT_TENANT_RPD, LIMIT_TENANT_TPM, LIMIT_TENANT_TPD);

    String LIMITS_TIER_PREFIX = "limits.tier.";

    /** The families of prefixed keys this group declares, in the order the reference lists them. */
    static List<KeyFamily> families() {
        return List.of(
                new KeyFamily(LIMITS_TIER_PREFIX, "limits.tier.<tier>.<limit>=n",
                        "A tenant tier's request and token limits (limit stage), for tenants put in the tier by"
                                + " tenants.tiers; <limit> as the limits.* keys without their prefix."));
    }

    /** Defines this group's keys in {@code definition}. */
    static ConfigDef define(ConfigDef definition) {
        return definition
                .define(LIMIT_USER_RPM, Type.LONG, 20L, atLeast(0), HIGH,
                        "Requests a user may make in any rolling minute (0: no limit).")
                .define(LIMIT_USER_RPH, Type.LONG, 300L, atLeast(0), MEDIUM,
                        "Requests a user may make in any rolling hour (0: no limit).")
                .define(LIMIT_USER_RPD, Type.LONG, 2_000L, atLeast(0), MEDIUM,
                        "Requests a user may make in any rolling day (0: no limit).")
                .define(LIMIT_USER_TPM, Type.LONG, 50_000L, atLeast(0), MEDIUM,
                        "Estimated tokens (input + requested output) a user may use in any rolling minute (0: no limit).")
                .define(LIMIT_USER_TPD, Type.LONG, 2_000_000L, atLeast(0), MEDIUM,
                        "Estimated tokens a user may use in any rolling day (0: no limit).")
                .define(LIMIT_TENANT_RPM, Type.LONG, 1_000L, atLeast(0), HIGH,
                        "Requests a tenant (all its users) may make in any rolling minute (0: no limit).")
                .define(LIMIT_TENANT_RPH, Type.LONG, 30_000L, atLeast(0), MEDIUM,
                        "Requests a tenant may make in any rolling hour (0: no limit).")
                .define(LIMIT_TENANT_RPD, Type.LONG, 300_000L, atLeast(0), MEDIUM,
                        "Requests a tenant may make in any rolling day (0: no limit).")
                .define(LIMIT_TENANT_TPM, Type.LONG, 2_000_000L, atLeast(0), MEDIUM,
                        "Estimated tokens a tenant may use in any rolling minute (0: no limit).")
                .define(LIMIT_TENANT_TPD, Type.LONG, 100_000_000L, atLeast(0), MEDIUM,
                        "Estimated tokens a tenant may use in any rolling day (0: no limit).")
                .define(TENANT_TIERS, Type.LIST, "", MEDIUM,
                        "Tenant tiers as tenant=tier; a tier's limits and budgets are set as limits.tier.<tier>.<limit> and budgets.tier.<tier>.<budget>.")
                .define(LIMITS_MAX_FUTURE_SKEW_MS, Type.LONG, 5_000L, atLeast(0), LOW,
                        "A request time further than this ahead of the wall clock is judged as now plus this.")
                .define(DEFAULT_OUTPUT_TOKENS, Type.INT, 256, atLeast(1), LOW,
                        "Output tokens assumed for token limits and cost reservations when a request sets no maxTokens.");
    }
}
