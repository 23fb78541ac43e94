package io.sluice.call;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.provider.ProviderException;
import io.sluice.retry.RetryHeaders;
import io.sluice.schemas.internal.FailedAttempt;
import io.sluice.schemas.internal.InFlightCall;
import io.sluice.topology.DeadLetterHeaders;
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
        Record<String, CallOutcome> record = new Record<>(call.getRequest().getRequestId(),
                new CallOutcome.Delayed(call.getRequest(), parked.tier(), parked.dueAt()), now);
        Headers headers = record.headers();
        DeadLetterHeaders.put(headers, RetryHeaders.TIER, parked.tier());
        DeadLetterHeaders.put(headers, RetryHeaders.ATTEMPTS, call.getAttempts());
        DeadLetterHeaders.put(headers, RetryHeaders.DUE_AT, parked.dueAt());
        DeadLetterHeaders.put(headers, RetryHeaders.REASON, parked.reason().name());
        if (call.getLastError() != null) {
            DeadLetterHeaders.put(headers, RetryHeaders.LAST_ERROR, call.getLastError());
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
        DeadLetterHeaders.put(headers, DeadLetterHeaders.EXCEPTION, ProviderException.class.getName());
        DeadLetterHeaders.put(headers, DeadLetterHeaders.MESSAGE, redact.apply(error.getMessage()));
        DeadLetterHeaders.put(headers, DeadLetterHeaders.REASON, dead.reason().name());
        DeadLetterHeaders.put(headers, DeadLetterHeaders.STAGE, CallStage.NAME);
        DeadLetterHeaders.put(headers, DeadLetterHeaders.REQUEST_ID, call.getRequest().getRequestId());
        DeadLetterHeaders.put(headers, DeadLetterHeaders.ATTEMPTS, call.getAttempts());
        DeadLetterHeaders.put(headers, DeadLetterHeaders.ERROR_CLASS, error.errorClass());
        DeadLetterHeaders.put(headers, DeadLetterHeaders.PROVIDER, error.provider());
        DeadLetterHeaders.put(headers, DeadLetterHeaders.STATUS, error.status());
        DeadLetterHeaders.put(headers, DeadLetterHeaders.AT, now);
        DeadLetterHeaders.put(headers, DeadLetterHeaders.APP_VERSION, CallStage.APP_VERSION);
        List<FailedAttempt> failures = call.getFailures();
        DeadLetterHeaders.putAll(headers, DeadLetterHeaders.ATTEMPT, failures.stream()
                .map(f -> JSON.createObjectNode().put("attempt", f.getAttempt()).put("target", f.getTarget())
                        .put("status", f.getStatus()).put("errorClass", f.getErrorClass()).put("error", f.getError())
                        .put("at", f.getAt().toEpochMilli()).toString())
                .toList());
        if (!failures.isEmpty()) {
            DeadLetterHeaders.put(headers, DeadLetterHeaders.FIRST_FAILURE_AT, failures.get(0).getAt().toEpochMilli());
            DeadLetterHeaders.put(headers, DeadLetterHeaders.LAST_FAILURE_AT,
                    failures.get(failures.size() - 1).getAt().toEpochMilli());
        }
        return record;
    }
}
