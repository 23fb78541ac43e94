package io.sluice.guard;

import io.sluice.config.RouteOverrides;
import io.sluice.config.SluiceConfig;
import io.sluice.config.SluiceConfigDef;
import io.sluice.sanitize.PiiType;
import io.sluice.sanitize.SanitizePolicy;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.common.config.ConfigException;

/**
 * The output-guard policy of each route: the defaults ({@code output.guard.*}) with per-route overrides
 * ({@code output.guard.route.<route>.<setting>}). A bad value fails the start, naming its key.
 */
public final class OutputPolicies {
    private final OutputPolicy defaults;
    private final Map<String, OutputPolicy> byRoute;

    private OutputPolicies(OutputPolicy defaults, Map<String, OutputPolicy> byRoute) {
        this.defaults = defaults;
        this.byRoute = byRoute;
    }

    public static OutputPolicies from(SluiceConfig config) {
        Properties base = new Properties();
        base.setProperty(OutputPolicy.PII, config.string(SluiceConfigDef.OUTPUT_GUARD_PII));
        base.setProperty(OutputPolicy.ENTITIES, config.string(SluiceConfigDef.OUTPUT_GUARD_ENTITIES));
        base.setProperty(OutputPolicy.DENY, String.join(",", config.getList(SluiceConfigDef.OUTPUT_GUARD_DENY)));
        base.setProperty(OutputPolicy.INJECTION, config.string(SluiceConfigDef.OUTPUT_GUARD_INJECTION));
        OutputPolicy defaults = parse(base, "output.guard.");
        Map<String, Properties> overrides = RouteOverrides.of(config, SluiceConfigDef.OUTPUT_GUARD_ROUTE_PREFIX, base);
        Map<String, OutputPolicy> byRoute = new HashMap<>();
        overrides.forEach((route, props) -> byRoute.put(route,
                parse(props, SluiceConfigDef.OUTPUT_GUARD_ROUTE_PREFIX + route + ".")));
        return new OutputPolicies(defaults, Map.copyOf(byRoute));
    }

    public OutputPolicy forRoute(String route) {
        return byRoute.getOrDefault(route, defaults);
    }

    /** Whether any route checks answers: without one, the stage is a pass-through. */
    public boolean anyOn() {
        return !defaults.off() || byRoute.values().stream().anyMatch(p -> !p.off());
    }

    private static OutputPolicy parse(Properties props, String prefix) {
        for (String key : props.stringPropertyNames()) {
            if (!OutputPolicy.KEYS.contains(key)) {
                throw new ConfigException(prefix + key, props.getProperty(key),
                        "unknown output guard setting; use one of " + new java.util.TreeSet<>(OutputPolicy.KEYS));
            }
        }
        String pii = props.getProperty(OutputPolicy.PII, "off").strip().toUpperCase(Locale.ROOT);
        if (Arrays.stream(OutputPolicy.PiiAction.values()).noneMatch(a -> a.name().equals(pii))) {
            throw new ConfigException(prefix + OutputPolicy.PII, props.getProperty(OutputPolicy.PII),
                    "must be one of [off, redact, block]");
        }
        String injection = props.getProperty(OutputPolicy.INJECTION, "off").strip().toLowerCase(Locale.ROOT);
        if (!injection.equals("off") && !injection.equals("block")) {
            throw new ConfigException(prefix + OutputPolicy.INJECTION, props.getProperty(OutputPolicy.INJECTION),
                    "must be one of [off, block]");
        }
        Set<PiiType> entities;
        try {
            Properties sanitize = new Properties();
            sanitize.setProperty(SanitizePolicy.PII_ENTITIES, props.getProperty(OutputPolicy.ENTITIES, "none"));
            entities = SanitizePolicy.fromProperties(sanitize).entities();
        } catch (IllegalArgumentException e) {
            throw new ConfigException(prefix + OutputPolicy.ENTITIES, props.getProperty(OutputPolicy.ENTITIES),
                    "must be none, all, or some of " + PiiType.ENTITIES);
        }
        List<String> deny = Arrays.asList(props.getProperty(OutputPolicy.DENY, "").split(","));
        return new OutputPolicy(OutputPolicy.PiiAction.valueOf(pii), entities, deny, injection.equals("block"));
    }
}
