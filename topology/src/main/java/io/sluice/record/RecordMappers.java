package io.sluice.record;

import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorSupplier;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;

/** {@code mapValues} with the whole record at hand (its time, headers and key), for {@code processValues}. */
public final class RecordMappers {
    private RecordMappers() {}

    /** Forwards {@code map(record)} as the record's new value, key, time and headers kept. */
    public static <K, V, VR> FixedKeyProcessorSupplier<K, V, VR> mapValues(Function<FixedKeyRecord<K, V>, VR> map) {
        return mapValues((record, metadata) -> map.apply(record));
    }

    /**
     * As {@link #mapValues(Function)}, with the metadata of the record being processed (topic, partition, offset of
     * the source record when directly behind a source; empty for a punctuation's records).
     */
    public static <K, V, VR> FixedKeyProcessorSupplier<K, V, VR> mapValues(
            BiFunction<FixedKeyRecord<K, V>, Optional<RecordMetadata>, VR> map) {
        return () -> new FixedKeyProcessor<>() {
            private FixedKeyProcessorContext<K, VR> context;

            @Override
            public void init(FixedKeyProcessorContext<K, VR> context) {
                this.context = context;
            }

            @Override
            public void process(FixedKeyRecord<K, V> record) {
                context.forward(record.withValue(map.apply(record, context.recordMetadata())));
            }
        };
    }
}
