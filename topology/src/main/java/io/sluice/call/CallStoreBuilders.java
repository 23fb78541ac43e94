package io.sluice.call;

import io.sluice.schemas.internal.InFlightCall;
import io.sluice.topics.TopologyNames;
import java.time.Duration;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.WindowStore;

/**
 * The call stage's stores that the {@link CopyCheck} in front of the limits reads too, in the same task: one builder
 * each, given to both processors (Kafka Streams connects a store to every processor given the same builder).
 *
 * @param inFlight requests in flight (waiting, calling or parked), keyed by tenant and request id; in memory by
 *                 default: bounded by the in-flight limit plus parked retries, and restored from its changelog like
 *                 any other store
 * @param answered the answered ids: one entry per id at its answer time, kept for {@code call.dedup.retention.ms};
 *                 segments past the retention are dropped
 */
public record CallStoreBuilders(StoreBuilder<KeyValueStore<String, InFlightCall>> inFlight,
                                StoreBuilder<WindowStore<String, Long>> answered, Duration dedupRetention) {
    public static CallStoreBuilders of(CallSettings settings, Serde<InFlightCall> inFlightSerde) {
        return new CallStoreBuilders(
                Stores.keyValueStoreBuilder(settings.inFlightInMemory()
                                ? Stores.inMemoryKeyValueStore(TopologyNames.IN_FLIGHT)
                                : Stores.persistentKeyValueStore(TopologyNames.IN_FLIGHT),
                        // cached: of a call that ends before the next commit only the delete (a tombstone) reaches
                        // the store and its changelog, not the put
                        Serdes.String(), inFlightSerde).withCachingEnabled(),
                Stores.windowStoreBuilder(Stores.persistentWindowStore(TopologyNames.CALL_ANSWERED,
                        settings.dedupRetention(), Duration.ofMillis(1), false), Serdes.String(), Serdes.Long()),
                settings.dedupRetention());
    }
}
