package io.sluice.sanitize;

import io.sluice.config.SluiceConfig;
import io.sluice.config.SluiceConfigDef;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.config.ConfigException;

/**
 * The sanitize policy of each route: the defaults ({@code sanitize.injection.action}, {@code .threshold},
 * {@code sanitize.pii.action}) with per-route overrides {@code sanitize.route.<route>.<same keys>}.
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
        SanitizePolicy defaults = parse(base, SluiceConfigDef.SANITIZE_INJECTION_ACTION);
        Map<String, Properties> overrides = new HashMap<>();
        var routes = config.routes();
        config.originalsWithPrefix(SluiceConfigDef.SANITIZE_ROUTE_PREFIX).forEach((rest, value) -> {
            String route = routes.names().stream().filter(r -> rest.startsWith(r + "."))
                    .findFirst().orElseThrow(() -> new ConfigException(SluiceConfigDef.SANITIZE_ROUTE_PREFIX + rest, value,
                            "names no configured route; routes are " + routes.names()));
            overrides.computeIfAbsent(route, r -> (Properties) base.clone())
                    .setProperty(rest.substring(route.length() + 1), String.valueOf(value));
        });
        Map<String, SanitizePolicy> byRoute = new HashMap<>();
        overrides.forEach((route, props) -> byRoute.put(route, parse(props, SluiceConfigDef.SANITIZE_ROUTE_PREFIX + route + ".*")));
        return new SanitizePolicies(defaults, Map.copyOf(byRoute));
    }

    private static SanitizePolicy parse(Properties props, String where) {
        for (String key : props.stringPropertyNames()) {
            if (!key.equals(SanitizePolicy.INJECTION_ACTION) && !key.equals(SanitizePolicy.INJECTION_THRESHOLD)
                    && !key.equals(SanitizePolicy.PII_ACTION)) {
                throw new ConfigException(where.replace("*", key), props.getProperty(key),
                        "unknown sanitize setting; use injection.action, injection.threshold or pii.action");
            }
        }
        try {
            return SanitizePolicy.fromProperties(props);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(where.toLowerCase(Locale.ROOT) + ": " + e.getMessage());
        }
    }

    public SanitizePolicy forRoute(String route) {
        return byRoute.getOrDefault(route, defaults);
    }
}
