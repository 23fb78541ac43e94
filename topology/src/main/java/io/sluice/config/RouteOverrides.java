package io.sluice.config;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.config.ConfigException;

/**
 * A family of per-route keys ({@code <prefix><route>.<setting>=value}) read into one set of settings per route that
 * has any, each over the defaults. A key naming no configured route fails the start, named.
 */
public final class RouteOverrides {
    private RouteOverrides() {}

    /** Route → its settings (the defaults with the route's own over them), for routes that set any. */
    public static Map<String, Properties> of(SluiceConfig config, String prefix, Properties defaults) {
        Map<String, Properties> overrides = new HashMap<>();
        List<String> routes = List.copyOf(config.routes().names());
        config.originalsWithPrefix(prefix).forEach((rest, value) -> {
            String route = routes.stream().filter(r -> rest.startsWith(r + ".")).findFirst()
                    .orElseThrow(() -> new ConfigException(prefix + rest, value,
                            "names no configured route; routes are " + routes));
            overrides.computeIfAbsent(route, r -> (Properties) defaults.clone())
                    .setProperty(rest.substring(route.length() + 1), String.valueOf(value));
        });
        return overrides;
    }
}
