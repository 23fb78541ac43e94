package io.sluice.call;

import io.sluice.record.Keys;
import io.sluice.schemas.PromptRequest;
import java.util.Set;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorSupplier;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.WindowStore;

/**
 * Tells a copy of a request already admitted from a new request, in the tenant's task, before the deadline check, the
 * limits and the budget. A copy is the same tenant and request id again (a client retrying with its idempotency key,
 * on this instance or another; a producer resending) while the first is in the call stage (waiting, calling or parked
 * on a retry tier: its {@code call-in-flight} entry), or after it was answered within {@code call.dedup.retention.ms}
 * (its {@code call-answered} entry). A copy goes straight to the call stage, which ignores it: judging it again could
 * refuse it and give one request two outcomes (an answer, then a refusal), and counting it would charge the user's
 * limits twice. A refused or dead-lettered id is not remembered, so its resend is a new request.
 */
public final class CopyCheck implements FixedKeyProcessor<String, PromptRequest, CopyCheck.Checked> {
    public static final String NAME = "copy-check";

    /** A request, and whether it is a copy of one already admitted. */
    public record Checked(PromptRequest request, boolean copy) {}

    private final CallStoreBuilders stores;
    private FixedKeyProcessorContext<String, Checked> context;
    private KeyValueStore<String, ?> inFlight;
    private WindowStore<String, ?> answered;

    private CopyCheck(CallStoreBuilders stores) {
        this.stores = stores;
    }

    /** @param stores the call stage's store builders, the same instances its processor is given */
    public static FixedKeyProcessorSupplier<String, PromptRequest, Checked> supplier(CallStoreBuilders stores) {
        return new FixedKeyProcessorSupplier<>() {
            @Override
            public FixedKeyProcessor<String, PromptRequest, Checked> get() {
                return new CopyCheck(stores);
            }

            @Override
            public Set<StoreBuilder<?>> stores() {
                return Set.of(stores.inFlight(), stores.answered());
            }
        };
    }

    @Override
    public void init(FixedKeyProcessorContext<String, Checked> context) {
        this.context = context;
        this.inFlight = context.getStateStore(stores.inFlight().name());
        this.answered = context.getStateStore(stores.answered().name());
    }

    @Override
    public void process(FixedKeyRecord<String, PromptRequest> record) {
        PromptRequest request = record.value();
        String id = Keys.request(request.getTenantId(), request.getRequestId());
        boolean copy = inFlight.get(id) != null || CallStores.answeredWithin(answered, id, record.timestamp(),
                context.currentSystemTimeMs(), stores.dedupRetention());
        context.forward(record.withValue(new Checked(request, copy)));
    }
}
