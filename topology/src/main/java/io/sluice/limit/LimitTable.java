package io.sluice.limit;

import io.sluice.config.SluiceConfig;
import io.sluice.config.SluiceConfigDef;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;

/**
 * The limits in force for each tenant: the defaults ({@code limits.<scope>.<measure>.per.<window>}), overridden per
 * tier ({@code limits.tier.<tier>.<scope>.<measure>.per.<window>}) for tenants mapped to a tier in
 * {@code tenants.tiers}. A limit of 0 means none.
 */
public final class LimitTable {

    private final Map<String, Long> defaults;
    private final Map<String, Map<String, Long>> tiers;
    private final Map<String, String> tierOfTenant;

    private LimitTable(Map<String, Long> defaults, Map<String, Map<String, Long>> tiers,
                       Map<String, String> tierOfTenant) {
        this.defaults = defaults;
        this.tiers = tiers;
        this.tierOfTenant = tierOfTenant;
    }

    public static LimitTable from(SluiceConfig config) {
        Map<String, Long> defaults = new HashMap<>();
        for (String name : SluiceConfigDef.LIMIT_KEYS) {
            defaults.put(name.substring("limits.".length()), config.getLong(name));
        }
        Map<String, Map<String, Long>> tiers = new HashMap<>();
        config.originalsWithPrefix(SluiceConfigDef.LIMITS_TIER_PREFIX).forEach((rest, value) -> {
            int dot = rest.indexOf('.');
            String limit = dot < 0 ? "" : rest.substring(dot + 1);
            if (!defaults.containsKey(limit)) {
                throw new ConfigException(SluiceConfigDef.LIMITS_TIER_PREFIX + rest, value,
                        "not a limit; tier limits look like limits.tier.<tier>.<one of " + defaults.keySet() + ">");
            }
            long max;
            try {
                max = Long.parseLong(String.valueOf(value).strip());
            } catch (NumberFormatException e) {
                throw new ConfigException(SluiceConfigDef.LIMITS_TIER_PREFIX + rest, value, "must be a whole number");
            }
            if (max < 0) {
                throw new ConfigException(SluiceConfigDef.LIMITS_TIER_PREFIX + rest, value, "must be >= 0 (0 means no limit)");
            }
            tiers.computeIfAbsent(rest.substring(0, dot), t -> new HashMap<>()).put(limit, max);
        });
        Map<String, String> tierOfTenant = new HashMap<>();
        for (String entry : config.getList(SluiceConfigDef.TENANT_TIERS)) {
            String[] parts = entry.split("=", 2);
            if (parts.length != 2 || parts[0].isBlank() || parts[1].isBlank()) {
                throw new ConfigException(SluiceConfigDef.TENANT_TIERS, entry, "each entry must look like tenant=tier");
            }
            tierOfTenant.put(parts[0].strip(), parts[1].strip());
        }
        return new LimitTable(defaults, tiers, tierOfTenant);
    }

    /** The tier a tenant is in, or null for the defaults. */
    public String tierOf(String tenantId) {
        return tierOfTenant.get(tenantId);
    }

    /** Every limit (max > 0) of {@code scope} that applies to {@code tenantId}, shortest window first. */
    public List<Limit> limits(Limit.Scope scope, String tenantId) {
        Map<String, Long> tier = tiers.getOrDefault(tierOfTenant.get(tenantId), Map.of());
        List<Limit> limits = new ArrayList<>();
        for (Limit.Window window : Limit.Window.values()) {
            for (Limit.Measure measure : Limit.Measure.values()) {
                String name = Limit.name(scope, measure, window);
                Long max = tier.getOrDefault(name, defaults.get(name));
                if (max != null && max > 0) {
                    limits.add(new Limit(scope, measure, window, max));
                }
            }
        }
        return limits;
    }
}
