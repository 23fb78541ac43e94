package io.sluice.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.common.config.ConfigException;

/**
 * Route names to the ordered chain of provider/model targets a request on that route may be answered by:
 * {@code default=openai:gpt-4o>anthropic:claude-sonnet-4-5>openai:gpt-4o-mini}. The first target is the primary;
 * the call stage moves down the chain when a target fails or its circuit is open.
 */
public final class RouteTable {
    public static final Set<String> PROVIDERS = Set.of("openai", "anthropic");

    /** One provider and model. */
    public record Target(String provider, String model) {
        @Override
        public String toString() {
            return provider + ":" + model;
        }
    }

    private final Map<String, List<Target>> routes = new LinkedHashMap<>();

    public RouteTable(List<String> entries) {
        for (String entry : entries) {
            String[] nameAndChain = entry.split("=", 2);
            if (nameAndChain.length != 2 || nameAndChain[0].isBlank()) {
                throw new ConfigException(SluiceConfigDef.ROUTES, entry,
                        "each route must look like name=provider:model, with fallbacks as >provider:model");
            }
            List<Target> chain = new ArrayList<>();
            for (String hop : nameAndChain[1].split(">")) {
                String[] providerAndModel = hop.strip().split(":", 2);
                if (providerAndModel.length != 2 || providerAndModel[1].isBlank()) {
                    throw new ConfigException(SluiceConfigDef.ROUTES, entry,
                            "each route must look like name=provider:model, with fallbacks as >provider:model");
                }
                if (!PROVIDERS.contains(providerAndModel[0].strip())) {
                    throw new ConfigException(SluiceConfigDef.ROUTES, entry,
                            "unknown provider '" + providerAndModel[0].strip() + "'; known: " + PROVIDERS);
                }
                chain.add(new Target(providerAndModel[0].strip(), providerAndModel[1].strip()));
            }
            routes.put(nameAndChain[0].strip(), List.copyOf(chain));
        }
    }

    /** The primary target of a route. */
    public Optional<Target> target(String route) {
        return chain(route).stream().findFirst();
    }

    /** Every target of a route, primary first; empty for an unknown route. */
    public List<Target> chain(String route) {
        return routes.getOrDefault(route, List.of());
    }

    public Set<String> names() {
        return routes.keySet();
    }
}
