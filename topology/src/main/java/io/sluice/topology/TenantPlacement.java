package io.sluice.topology;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.sluice.schemas.PromptRequest;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.StreamPartitioner;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorSupplier;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;

/**
 * Says whether a sanitized request is already in the task that owns its tenant, so it can go on to the limits, the
 * budget and the call without the {@code by-tenant} re-key and the transactional hop it costs.
 *
 * <p>The intake and the tenant's stages share one sub-topology (the accounting stage taps the requests topic's
 * source), so task {@code p} reads partition {@code p} of both the requests topic and {@code by-tenant}. A request
 * read from partition {@code p} whose tenant hashes to partition {@code p} of {@code by-tenant} (the producer's own
 * partitioner: murmur2 of the key's bytes) would come back to this very task; it stays. Every other request takes the
 * re-key. Either way a tenant's counters, budget and calls live in exactly one task: producers that key requests by
 * tenant save a hop, producers that key them any other way lose nothing.
 */
public final class TenantPlacement implements FixedKeyProcessor<String, PromptRequest, TenantPlacement.Placed> {
    /** Requests that went on in the task that read them ({@code placement=here}) or took the re-key. */
    public static final String METRIC = "sluice.intake.placement";

    /** A request, and whether this task owns its tenant. */
    record Placed(PromptRequest request, boolean here) {
        /** The request under its tenant's key, as the tenant's stages read it. */
        KeyValue<String, PromptRequest> keyedByTenant() {
            return KeyValue.pair(request.getTenantId(), request);
        }
    }

    private final int partitions;
    private final Counter here;
    private final Counter rekeyed;
    private int partition;
    private FixedKeyProcessorContext<String, Placed> context;

    /** @param partitions how many partitions {@code by-tenant} has */
    TenantPlacement(int partitions, MeterRegistry meters) {
        this.partitions = partitions;
        this.here = meters.counter(METRIC, "placement", "here");
        this.rekeyed = meters.counter(METRIC, "placement", "rekeyed");
    }

    static FixedKeyProcessorSupplier<String, PromptRequest, Placed> supplier(int partitions, MeterRegistry meters) {
        return () -> new TenantPlacement(partitions, meters);
    }

    /** The partition of {@code by-tenant} (and of the retry topics) that {@code tenantId} owns. */
    public static int partitionOf(String tenantId, int partitions) {
        return Utils.toPositive(Utils.murmur2(tenantId.getBytes(StandardCharsets.UTF_8))) % partitions;
    }

    /**
     * Partitions records keyed by tenant id as {@link #partitionOf} does, for every topic that must reach the tenant's
     * task ({@code by-tenant}, the retry tiers), whatever partitioner a {@code kafka.*} setting gives
     * the producer.
     */
    static <V> StreamPartitioner<String, V> byTenant() {
        return (topic, tenantId, value, partitions) -> tenantId == null ? Optional.empty()
                : Optional.of(Set.of(partitionOf(tenantId, partitions)));
    }

    @Override
    public void init(FixedKeyProcessorContext<String, Placed> context) {
        this.context = context;
        this.partition = context.taskId().partition();
    }

    @Override
    public void process(FixedKeyRecord<String, PromptRequest> record) {
        PromptRequest request = record.value();
        boolean owned = partitionOf(request.getTenantId(), partitions) == partition;
        (owned ? here : rekeyed).increment();
        context.forward(record.withValue(new Placed(request, owned)));
    }
}
