package io.sluice.topology;

import io.sluice.schemas.PromptRequest;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.utils.Utils;
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
final class TenantPlacement implements FixedKeyProcessor<String, PromptRequest, TenantPlacement.Placed> {
    /** A request, and whether this task owns its tenant. */
    record Placed(PromptRequest request, boolean here) {}

    private final int partitions;
    private int partition;
    private FixedKeyProcessorContext<String, Placed> context;

    /** @param partitions how many partitions {@code by-tenant} has */
    TenantPlacement(int partitions) {
        this.partitions = partitions;
    }

    static FixedKeyProcessorSupplier<String, PromptRequest, Placed> supplier(int partitions) {
        return () -> new TenantPlacement(partitions);
    }

    /** The partition of {@code by-tenant} that a request of {@code tenantId} is written to. */
    static int partitionOf(String tenantId, int partitions) {
        return Utils.toPositive(Utils.murmur2(tenantId.getBytes(StandardCharsets.UTF_8))) % partitions;
    }

    @Override
    public void init(FixedKeyProcessorContext<String, Placed> context) {
        this.context = context;
        this.partition = context.taskId().partition();
    }

    @Override
    public void process(FixedKeyRecord<String, PromptRequest> record) {
        PromptRequest request = record.value();
        context.forward(record.withValue(new Placed(request, partitionOf(request.getTenantId(), partitions) == partition)));
    }
}
