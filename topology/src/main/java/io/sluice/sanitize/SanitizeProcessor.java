package io.sluice.sanitize;

import io.sluice.schemas.PromptRequest;
import io.sluice.topology.Rejections;
import io.sluice.topology.Verdict;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;

/** The sanitize stage: validation only for now; normalization, injection and PII checks join it here. */
public final class SanitizeProcessor implements FixedKeyProcessor<String, PromptRequest, Verdict> {
    public static final String STAGE = "sanitize";

    private final RequestValidator validator;
    private FixedKeyProcessorContext<String, Verdict> context;

    public SanitizeProcessor(RequestValidator validator) {
        this.validator = validator;
    }

    @Override
    public void init(FixedKeyProcessorContext<String, Verdict> context) {
        this.context = context;
    }

    @Override
    public void process(FixedKeyRecord<String, PromptRequest> record) {
        PromptRequest request = record.value();
        if (request == null) {
            // The processing-exception handler dead-letters the record with its coordinates.
            throw new IllegalArgumentException("sanitize: a requests-topic record has no value (a tombstone)");
        }
        long now = context.currentSystemTimeMs();
        Verdict verdict = validator.check(request, now)
                .<Verdict>map(f -> new Verdict.Refuse(Rejections.of(request, f.reason(), STAGE, f.detail(), now)))
                .orElseGet(() -> new Verdict.Pass(request));
        context.forward(record.withValue(verdict));
    }
}
