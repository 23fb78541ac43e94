package io.sluice.call;

import io.sluice.retry.RetryTiers;
import io.sluice.schemas.PromptResponse;
import io.sluice.schemas.internal.InFlightCall;
import io.sluice.topology.TopologyNames;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The call stage's stores (in-flight calls, answered ids, the response cache) and what a new owner finds in them. */
final class CallStores {
    private static final Logger log = LoggerFactory.getLogger(CallStores.class);

    private CallStores() {}

    static Set<StoreBuilder<?>> builders(CallStage stage, Serde<InFlightCall> inFlightSerde,
                                         Serde<PromptResponse> responseSerde) {
        return Set.of(
                // in memory by default: bounded by the in-flight limit plus parked retries, and restored from its
                // changelog like any other store
                Stores.keyValueStoreBuilder(stage.settings().inFlightInMemory()
                                ? Stores.inMemoryKeyValueStore(TopologyNames.IN_FLIGHT)
                                : Stores.persistentKeyValueStore(TopologyNames.IN_FLIGHT),
                        Serdes.String(), inFlightSerde),
                // one entry per answered id at its answer time; segments past the retention are dropped
                Stores.windowStoreBuilder(Stores.persistentWindowStore(TopologyNames.CALL_ANSWERED,
                        stage.settings().dedupRetention(), Duration.ofMillis(1), false), Serdes.String(), Serdes.Long()),
                stage.cache().storeBuilder(responseSerde));
    }

    /**
     * The calls an earlier owner left unfinished, to be re-issued. A parked call waits on its retry tier's topic,
     * which brings it back, so re-issuing it would double it; but one parked on a tier that is no longer configured
     * never comes back: it is unparked (in the store) and re-issued from the route's first target.
     */
    static List<String> unfinished(KeyValueStore<String, InFlightCall> inFlight, RetryTiers tiers) {
        List<String> unfinished = new ArrayList<>();
        List<String> orphaned = new ArrayList<>();
        try (KeyValueIterator<String, InFlightCall> all = inFlight.all()) {
            all.forEachRemaining(entry -> {
                if (entry.value.getParkedUntil() == null) {
                    unfinished.add(entry.key);
                } else if (entry.value.getRetryTier() > tiers.count()) {
                    orphaned.add(entry.key);
                }
            });
        }
        for (String key : orphaned) {
            InFlightCall call = inFlight.get(key);
            log.warn("Request {} was parked on retry tier {}, which is no longer configured; re-issuing it",
                    call.getRequest().getRequestId(), call.getRetryTier());
            call.setParkedUntil(null);
            call.setTarget(0);
            call.setTargetAttempts(0);
            inFlight.put(key, call);
            unfinished.add(key);
        }
        return unfinished;
    }
}
