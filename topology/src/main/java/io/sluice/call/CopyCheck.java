package io.sluice.call;

import io.sluice.record.Keys;
import io.sluice.schemas.PromptRequest;
import java.time.Duration;
import java.util.Set;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorSupplier;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.WindowStore;

/**
 * Tells a copy of a request already admitted from a new request, in the tenant's task, before the limits and the
 * budget. A copy is the same tenant and request id again (a client retrying with its idempotency key, on this
 * instance or another; a producer resending) while the first is in flight, which the budget's reservation shows, or
 * after it was answered within {@code call.dedup.retention.ms}, which the call stage's answered ids show. A copy goes
 * straight to the call stage, which ignores it: judging it again could refuse it and give one request two outcomes (an
 * answer, then a refusal), and counting it would charge the user's limits twice. A refused or dead-lettered id is not
 * remembered, so its resend is a new request.
 */
public final class CopyCheck implements FixedKeyProcessor<String, PromptRequest, CopyCheck.Checked> {
    public static final String NAME = "copy-check";

    /** A request, and whether it is a copy of one already admitted. */
    public record Checked(PromptRequest request, boolean copy) {}

    private final String reservationsName;
    private final String answeredName;
    private final Duration dedupRetention;
    private FixedKeyProcessorContext<String, Checked> context;
    private KeyValueStore<String, ?> reservations;
    private WindowStore<String, ?> answered;

    private CopyCheck(String reservationsName, String answeredName, Duration dedupRetention) {
        this.reservationsName = reservationsName;
        this.answeredName = answeredName;
        this.dedupRetention = dedupRetention;
    }

    /**
     * @param reservations the budget's reservations, keyed by tenant and request id: one entry per request in flight
     * @param answered     the call stage's answered ids ({@link CallProcessor#answeredStore})
     */
    public static FixedKeyProcessorSupplier<String, PromptRequest, Checked> supplier(
            StoreBuilder<? extends KeyValueStore<String, ?>> reservations,
            StoreBuilder<? extends WindowStore<String, ?>> answered, Duration dedupRetention) {
        return new FixedKeyProcessorSupplier<>() {
            @Override
            public FixedKeyProcessor<String, PromptRequest, Checked> get() {
                return new CopyCheck(reservations.name(), answered.name(), dedupRetention);
            }

            @Override
            public Set<StoreBuilder<?>> stores() {
                return Set.of(reservations, answered);
            }
        };
    }

    @Override
    public void init(FixedKeyProcessorContext<String, Checked> context) {
        this.context = context;
        this.reservations = context.getStateStore(reservationsName);
        this.answered = context.getStateStore(answeredName);
    }

    @Override
    public void process(FixedKeyRecord<String, PromptRequest> record) {
        PromptRequest request = record.value();
        String id = Keys.request(request.getTenantId(), request.getRequestId());
        boolean copy = reservations.get(id) != null || CallStores.answeredWithin(answered, id, record.timestamp(),
                context.currentSystemTimeMs(), dedupRetention);
        context.forward(record.withValue(new Checked(request, copy)));
    }
}
