package io.sluice.config;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.common.config.ConfigException;

/** Route names to the provider/model target a request on that route is sent to. */
public final class RouteTable {
    public static final Set<String> PROVIDERS = Set.of("openai", "anthropic");

    /** One provider and model. */
    public record Target(String provider, String model) {}

    private final Map<String, Target> routes = new LinkedHashMap<>();

    public RouteTable(List<String> entries) {
        for (String entry : entries) {
            String[] nameAndTarget = entry.split("=", 2);
            String[] providerAndModel = nameAndTarget.length == 2 ? nameAndTarget[1].split(":", 2) : new String[0];
            if (providerAndModel.length != 2 || nameAndTarget[0].isBlank() || providerAndModel[1].isBlank()) {
                throw new ConfigException(SluiceConfigDef.ROUTES, entry,
                        "each route must look like name=provider:model");
            }
            if (!PROVIDERS.contains(providerAndModel[0].strip())) {
                throw new ConfigException(SluiceConfigDef.ROUTES, entry,
                        "unknown provider '" + providerAndModel[0].strip() + "'; known: " + PROVIDERS);
            }
            routes.put(nameAndTarget[0].strip(), new Target(providerAndModel[0].strip(), providerAndModel[1].strip()));
        }
    }

    public Optional<Target> target(String route) {
        return Optional.ofNullable(routes.get(route));
    }

    public Set<String> names() {
        return routes.keySet();
    }
}
