package io.sluice.sanitize;

import io.sluice.config.RouteOverrides;
import io.sluice.config.SluiceConfig;
import io.sluice.config.SluiceConfigDef;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.config.ConfigException;

/**
 * The sanitize policy of each route: the defaults ({@code sanitize.injection.*}, {@code sanitize.pii.*}) with
 * per-route overrides {@code sanitize.route.<route>.<same keys without sanitize.>}.
 */
final class SanitizePolicies {

    private final SanitizePolicy defaults;
    private final Map<String, SanitizePolicy> byRoute;

    private SanitizePolicies(SanitizePolicy defaults, Map<String, SanitizePolicy> byRoute) {
        this.defaults = defaults;
        this.byRoute = byRoute;
    }

    public static SanitizePolicies from(SluiceConfig config) {
        Properties base = new Properties();
        base.setProperty(SanitizePolicy.INJECTION_ACTION, config.string(SluiceConfigDef.SANITIZE_INJECTION_ACTION));
        base.setProperty(SanitizePolicy.INJECTION_THRESHOLD,
                String.valueOf(config.getDouble(SluiceConfigDef.SANITIZE_INJECTION_THRESHOLD)));
        base.setProperty(SanitizePolicy.PII_ACTION, config.string(SluiceConfigDef.SANITIZE_PII_ACTION));
        base.setProperty(SanitizePolicy.INJECTION_MODEL, config.string(SluiceConfigDef.SANITIZE_INJECTION_MODEL));
        base.setProperty(SanitizePolicy.INJECTION_MODEL_THRESHOLD,
                config.string(SluiceConfigDef.SANITIZE_INJECTION_MODEL_THRESHOLD));
        base.setProperty(SanitizePolicy.PII_ENTITIES, config.string(SluiceConfigDef.SANITIZE_PII_ENTITIES));
        SanitizePolicy defaults = parse(base, "sanitize.");
        Map<String, Properties> overrides = RouteOverrides.of(config, SluiceConfigDef.SANITIZE_ROUTE_PREFIX, base);
        Map<String, SanitizePolicy> byRoute = new HashMap<>();
        overrides.forEach((route, props) -> byRoute.put(route, parse(props, SluiceConfigDef.SANITIZE_ROUTE_PREFIX + route + ".")));
        return new SanitizePolicies(defaults, Map.copyOf(byRoute));
    }

    /** @param prefix what the policy's keys are written with in the configuration ({@code sanitize.route.x.}) */
    private static SanitizePolicy parse(Properties props, String prefix) {
        for (String key : props.stringPropertyNames()) {
            if (!SanitizePolicy.KEYS.contains(key)) {
                throw new ConfigException(prefix + key, props.getProperty(key),
                        "unknown sanitize setting; use one of " + new java.util.TreeSet<>(SanitizePolicy.KEYS));
            }
        }
        try {
            return SanitizePolicy.fromProperties(props);
        } catch (IllegalArgumentException e) {
            // the policy's messages start with the key's name, e.g. "pii.entities takes ..."
            throw new ConfigException(prefix + e.getMessage());
        }
    }

    public SanitizePolicy forRoute(String route) {
        return byRoute.getOrDefault(route, defaults);
    }
}
