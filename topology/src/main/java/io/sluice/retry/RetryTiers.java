package io.sluice.retry;

import io.sluice.config.Durations;
import io.sluice.config.SluiceConfig;
import io.sluice.config.SluiceConfigDef;
import io.sluice.topics.SluiceTopics;
import java.time.Duration;
import java.util.List;

/**
 * The delayed retry tiers: tier {@code n} (from 1) holds a request on its own topic for {@code delays[n-1]} before
 * the call stage tries the route again. Topics are named by tier number, not delay, so changing a delay keeps what
 * is already waiting.
 */
public record RetryTiers(List<Duration> delays, String topicBase) {
    public RetryTiers {
        delays = List.copyOf(delays);
    }

    public static RetryTiers from(SluiceConfig config) {
        return new RetryTiers(config.getList(SluiceConfigDef.CALL_RETRY_TIERS).stream().map(Durations::parse).toList(),
                SluiceTopics.name(config, SluiceConfigDef.TOPIC_RETRY));
    }

    public int count() {
        return delays.size();
    }

    /** How long tier {@code tier} (from 1) holds a request. */
    public Duration delay(int tier) {
        return delays.get(tier - 1);
    }

    /** The topic of tier {@code tier} (from 1). */
    public String topic(int tier) {
        return topicBase + "-" + tier;
    }

    /** Every tier's topic, tier 1 first. */
    public List<String> topics() {
        return java.util.stream.IntStream.rangeClosed(1, count()).mapToObj(this::topic).toList();
    }
}
