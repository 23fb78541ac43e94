package io.sluice.call;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.provider.ProviderException;
import io.sluice.schemas.SluiceHeaders;
import io.sluice.schemas.internal.FailedAttempt;
import io.sluice.schemas.internal.InFlightCall;
import java.util.List;
import java.util.function.UnaryOperator;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.streams.processor.api.Record;

/**
 * The records the call stage writes for a request it could not answer: to a retry tier, with when it is due and why,
 * and to the dead-letter topic, with every attempt that failed, so an operator can see what happened without the log.
 * Every error text has been redacted.
 */
final class CallRecords {
    private static final ObjectMapper JSON = new ObjectMapper();

    private CallRecords() {}

    /** {@code call}, parked on tier {@code parked.tier()}: its headers say when it is due back and why. */
    static Record<String, CallOutcome> parked(InFlightCall call, CallState.Parked parked, long now) {
        // keyed by tenant: the tier's topic is partitioned like by-tenant, so the request comes back to this task
        Record<String, CallOutcome> record = new Record<>(call.getRequest().getTenantId(),
                new CallOutcome.Delayed(call.getRequest(), parked.tier(), parked.dueAt()), now);
        Headers headers = record.headers();
        SluiceHeaders.put(headers, SluiceHeaders.RETRY_TIER, parked.tier());
        SluiceHeaders.put(headers, SluiceHeaders.RETRY_ATTEMPTS, call.getAttempts());
        SluiceHeaders.put(headers, SluiceHeaders.RETRY_DUE_AT, parked.dueAt());
        SluiceHeaders.put(headers, SluiceHeaders.RETRY_REASON, parked.reason().name());
        if (call.getLastError() != null) {
            SluiceHeaders.put(headers, SluiceHeaders.RETRY_LAST_ERROR, call.getLastError());
        }
        return record;
    }

    /** {@code call}'s dead letter: why, its last error ({@code redact}ed), and one header per failed attempt. */
    static Record<String, CallOutcome> deadLetter(InFlightCall call, CallState.DeadLettered dead, long now,
                                                  UnaryOperator<String> redact) {
        ProviderException error = dead.lastError();
        Record<String, CallOutcome> record = new Record<>(call.getRequest().getRequestId(),
                new CallOutcome.DeadLettered(call.getRequest(), dead.reason(), error, call.getAttempts()), now);
        Headers headers = record.headers();
        SluiceHeaders.put(headers, SluiceHeaders.ERROR_EXCEPTION, ProviderException.class.getName());
        SluiceHeaders.put(headers, SluiceHeaders.ERROR_MESSAGE, redact.apply(error.getMessage()));
        SluiceHeaders.put(headers, SluiceHeaders.DLQ_REASON, dead.reason().name());
        SluiceHeaders.put(headers, SluiceHeaders.DLQ_STAGE, CallStage.NAME);
        SluiceHeaders.put(headers, SluiceHeaders.DLQ_REQUEST_ID, call.getRequest().getRequestId());
        SluiceHeaders.put(headers, SluiceHeaders.DLQ_ATTEMPTS, call.getAttempts());
        SluiceHeaders.put(headers, SluiceHeaders.DLQ_ERROR_CLASS, error.errorClass());
        SluiceHeaders.put(headers, SluiceHeaders.DLQ_PROVIDER, error.provider());
        SluiceHeaders.put(headers, SluiceHeaders.DLQ_STATUS, error.status());
        SluiceHeaders.put(headers, SluiceHeaders.DLQ_AT, now);
        SluiceHeaders.put(headers, SluiceHeaders.DLQ_APP_VERSION, CallStage.APP_VERSION);
        List<FailedAttempt> failures = call.getFailures();
        SluiceHeaders.putAll(headers, SluiceHeaders.DLQ_ATTEMPT, failures.stream()
                .map(f -> JSON.createObjectNode().put("attempt", f.getAttempt()).put("target", f.getTarget())
                        .put("status", f.getStatus()).put("errorClass", f.getErrorClass()).put("error", f.getError())
                        .put("at", f.getAt().toEpochMilli()).toString())
                .toList());
        if (!failures.isEmpty()) {
            SluiceHeaders.put(headers, SluiceHeaders.DLQ_FIRST_FAILURE_AT, failures.get(0).getAt().toEpochMilli());
            SluiceHeaders.put(headers, SluiceHeaders.DLQ_LAST_FAILURE_AT,
                    failures.get(failures.size() - 1).getAt().toEpochMilli());
        }
        return record;
    }
}
