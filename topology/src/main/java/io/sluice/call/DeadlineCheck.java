package io.sluice.call;

import io.sluice.record.Rejections;
import io.sluice.record.Verdict;
import io.sluice.schemas.PromptRequest;
import io.sluice.schemas.RejectReason;
import io.sluice.topics.TopologyNames;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;

/**
 * Refuses a new request whose deadline has passed, with {@code DEADLINE_EXCEEDED}, before the limits count it. It
 * runs in the tenant's task behind the {@link CopyCheck}, not in the sanitize stage, so that a copy of a request
 * already admitted is never refused for its deadline: a client resending after its deadline, whose first request is
 * in flight or answered, would otherwise get a refusal beside that request's answer.
 */
public final class DeadlineCheck implements FixedKeyProcessor<String, PromptRequest, Verdict> {
    /** The stage a rejection names: the processor's name. */
    public static final String STAGE = TopologyNames.DEADLINE;

    private FixedKeyProcessorContext<String, Verdict> context;

    @Override
    public void init(FixedKeyProcessorContext<String, Verdict> context) {
        this.context = context;
    }

    @Override
    public void process(FixedKeyRecord<String, PromptRequest> record) {
        PromptRequest request = record.value();
        long now = context.currentSystemTimeMs();
        if (request.getDeadline() != null && request.getDeadline().toEpochMilli() <= now) {
            context.forward(record.withValue(new Verdict.Refuse(Rejections.of(request, RejectReason.DEADLINE_EXCEEDED,
                    STAGE, "the request's deadline " + request.getDeadline() + " has passed", now))));
        } else {
            context.forward(record.withValue(new Verdict.Pass(request)));
        }
    }
}
