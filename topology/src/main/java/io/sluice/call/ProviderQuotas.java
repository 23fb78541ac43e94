package io.sluice.call;

import io.sluice.config.SluiceConfig;
import io.sluice.config.SluiceConfigDef;
import java.util.HashMap;
import java.util.Map;

/**
 * Client-side limits for a provider's own quota (requests and tokens per minute), shared by the instance's stream
 * tasks: token buckets refilled continuously. A call that would exceed one is not attempted but queued until the
 * bucket will hold it, so Sluice slows down before the provider starts answering 429. The limits are per instance:
 * with several instances, give each its share of the quota.
 */
public final class ProviderQuotas {

    /** A continuously refilled bucket of {@code perMinute} units. */
    private static final class Bucket {
        private final double capacity;
        private final double perMs;
        private double available;
        private long updatedAt = Long.MIN_VALUE;

        Bucket(long perMinute) {
            this.capacity = perMinute;
            this.perMs = perMinute / 60_000.0;
            this.available = perMinute;
        }

        /** Ms until {@code units} fit (0: they fit now, and were not taken). */
        long waitFor(double units, long now) {
            if (updatedAt != Long.MIN_VALUE) {
                available = Math.min(capacity, available + (now - updatedAt) * perMs);
            }
            updatedAt = now;
            double wanted = Math.min(units, capacity); // more than a minute's quota: wait for a full bucket
            return available >= wanted ? 0 : (long) Math.ceil((wanted - available) / perMs);
        }

        void take(double units) {
            available -= Math.min(units, capacity);
        }
    }

    private final Map<String, Bucket> requests = new HashMap<>();
    private final Map<String, Bucket> tokens = new HashMap<>();

    public static ProviderQuotas from(SluiceConfig config) {
        ProviderQuotas quotas = new ProviderQuotas();
        quotas.add("openai", config.getLong(SluiceConfigDef.OPENAI_RPM), config.getLong(SluiceConfigDef.OPENAI_TPM));
        quotas.add("anthropic", config.getLong(SluiceConfigDef.ANTHROPIC_RPM),
                config.getLong(SluiceConfigDef.ANTHROPIC_TPM));
        return quotas;
    }

    private void add(String provider, long requestsPerMinute, long tokensPerMinute) {
        if (requestsPerMinute > 0) {
            requests.put(provider, new Bucket(requestsPerMinute));
        }
        if (tokensPerMinute > 0) {
            tokens.put(provider, new Bucket(tokensPerMinute));
        }
    }

    /** Takes one request and {@code tokenCount} tokens of the provider's quota and returns 0, or returns how long to wait. */
    public synchronized long tryAcquire(String provider, long tokenCount, long now) {
        Bucket r = requests.get(provider);
        Bucket t = tokens.get(provider);
        long wait = Math.max(r == null ? 0 : r.waitFor(1, now), t == null ? 0 : t.waitFor(tokenCount, now));
        if (wait == 0) {
            if (r != null) {
                r.take(1);
            }
            if (t != null) {
                t.take(tokenCount);
            }
        }
        return wait;
    }
}
