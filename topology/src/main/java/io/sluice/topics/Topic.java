package io.sluice.topics;

import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;

/** A topic with its serdes, built once from configuration. */
public record Topic<K, V>(String name, Serde<K> keySerde, Serde<V> valueSerde) {

    public Consumed<K, V> consumed(String as) {
        return Consumed.with(keySerde, valueSerde).withName(as);
    }

    public Produced<K, V> produced(String as) {
        return Produced.with(keySerde, valueSerde).withName(as);
    }
}
