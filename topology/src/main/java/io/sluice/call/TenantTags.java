package io.sluice.call;

import io.sluice.config.SluiceConfig;
import io.sluice.config.SluiceConfigDef;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The {@code tenant} tag of the token and cost meters, bounded: the first {@code max} tenants an instance answers are
 * tagged by name, every later one {@value #OTHER}. Tenant ids come from producers, so without a cap a producer could
 * add series to every scrape without end. One per instance, shared by its stream threads: the cap holds per
 * process, and which tenants are named depends on the order this instance met them since it started.
 */
public final class TenantTags {
    /** The tag of every tenant past the cap. */
    public static final String OTHER = "other";

    private final int max;
    private final Set<String> named = ConcurrentHashMap.newKeySet();

    public TenantTags(int max) {
        if (max < 0) {
            throw new IllegalArgumentException("the tenant tag cap must be >= 0, but was " + max);
        }
        this.max = max;
    }

    /** The cap {@value SluiceConfigDef#METRICS_TENANT_TAGS_MAX} sets. */
    public static TenantTags from(SluiceConfig config) {
        return new TenantTags(config.integer(SluiceConfigDef.METRICS_TENANT_TAGS_MAX));
    }

    /** {@code tenant} while it is one of the first {@code max} seen (or fits under the cap now), else {@value #OTHER}. */
    public String of(String tenant) {
        if (tenant == null) {
            return OTHER;
        }
        if (named.contains(tenant)) {
            return tenant;
        }
        synchronized (named) { // check and add as one step, or two threads could each take the last place
            if (named.size() < max) {
                named.add(tenant);
                return tenant;
            }
        }
        return OTHER;
    }
}
