package io.sluice.config;

import static org.apache.kafka.common.config.ConfigDef.Importance.HIGH;
import static org.apache.kafka.common.config.ConfigDef.Importance.MEDIUM;
import static org.apache.kafka.common.config.ConfigDef.Range.atLeast;
import static org.apache.kafka.common.config.ConfigDef.Range.between;

import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.List;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;

/**
 * The budget stage: tenants' and users' spend ceilings per day and month, the soft threshold and its fallback routes.
 */
interface BudgetKeys {
    String BUDGET_TIMEZONE = "budgets.timezone";
    String BUDGET_RESERVATION_TTL_MS = "budgets.reservation.ttl.ms";
    String BUDGET_TENANT_DAILY = "budgets.tenant.daily.micros";
    String BUDGET_TENANT_MONTHLY = "budgets.tenant.monthly.micros";
    String BUDGET_USER_DAILY = "budgets.user.daily.micros";
    String BUDGET_USER_MONTHLY = "budgets.user.monthly.micros";
    String BUDGET_SOFT_PERCENT = "budgets.soft.threshold.percent";
    String BUDGET_FALLBACK_ROUTES = "budgets.soft.fallback.routes";

    String BUDGETS_TIER_PREFIX = "budgets.tier.";

    /** The families of prefixed keys this group declares, in the order the reference lists them. */
    static List<KeyFamily> families() {
        return List.of(
                new KeyFamily(BUDGETS_TIER_PREFIX, "budgets.tier.<tier>.<budget>=micro-dollars",
                        "A tenant tier's budget (budget stage): daily.micros or monthly.micros for the tenant,"
                                + " user.daily.micros or user.monthly.micros for each of its users, in micro-dollars"
                                + " (0: no ceiling)."));
    }

    /** Defines this group's keys in {@code definition}. */
    static ConfigDef define(ConfigDef definition) {
        return definition
                .define(BUDGET_TIMEZONE, Type.STRING, "UTC", zoneId(), MEDIUM,
                        "Time zone in which daily and monthly budgets reset at midnight.")
                .define(BUDGET_RESERVATION_TTL_MS, Type.LONG, 6 * 3_600_000L, atLeast(60_000), MEDIUM,
                        "A request's reserved cost is released if no settlement came within this time (a lost"
                                + " outcome must not hold a tenant's budget forever), with a RESERVATION_EXPIRED budget"
                                + " event; keep it above the longest a request can take (retry tiers included).")
                .define(BUDGET_TENANT_DAILY, Type.LONG, 0L, atLeast(0), HIGH,
                        "Hard ceiling on a tenant's spend per calendar day, micro-dollars (0: none).")
                .define(BUDGET_TENANT_MONTHLY, Type.LONG, 0L, atLeast(0), HIGH,
                        "Hard ceiling on a tenant's spend per calendar month, micro-dollars (0: none).")
                .define(BUDGET_USER_DAILY, Type.LONG, 0L, atLeast(0), HIGH,
                        "Hard ceiling on each user's spend per calendar day, micro-dollars (0: none); a user's spend is"
                                + " counted while a user ceiling applies to its tenant.")
                .define(BUDGET_USER_MONTHLY, Type.LONG, 0L, atLeast(0), HIGH,
                        "Hard ceiling on each user's spend per calendar month, micro-dollars (0: none).")
                .define(BUDGET_SOFT_PERCENT, Type.INT, 80, between(1, 100), MEDIUM,
                        "Soft threshold, percent of a ceiling: crossing it emits a budget event and switches fallback routes.")
                .define(BUDGET_FALLBACK_ROUTES, Type.LIST, "", MEDIUM,
                        "route=cheaper-route pairs used for a tenant past its soft threshold, e.g. default=economy.");
    }

    private static ConfigDef.Validator zoneId() {
        return ConfigDef.LambdaValidator.with((name, value) -> {
            try {
                ZoneId.of(String.valueOf(value));
            } catch (DateTimeException e) {
                throw new ConfigException(name, value, "not a time zone id such as UTC or Europe/Paris");
            }
        }, () -> "a time zone id such as UTC or Europe/Paris");
    }
}
