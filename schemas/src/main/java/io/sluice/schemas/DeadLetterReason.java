package io.sluice.schemas;

import org.apache.kafka.common.header.Headers;

/**
 * Why a record is on the dead-letter topic: the {@link SluiceHeaders#DLQ_REASON} header's value, the
 * {@code reason} tag of the dead-letter metric, and what {@code ./sluice dlq --reason} filters on. Written by the call
 * stage for requests no provider answered, and counted by Kafka Streams' error handlers for records that could not be
 * read, processed or written.
 */
public enum DeadLetterReason {
    /** The request's deadline passed before a provider answered. */
    DEADLINE_EXCEEDED(false),
    /** Every target failed with retryable errors as often as allowed, and no retry tier was left. */
    RETRIES_EXHAUSTED(true),
    /** Every circuit of the route stayed open for as long as a request may wait, and no retry tier was left. */
    NO_TARGET_AVAILABLE(true),
    /** A provider refused the request itself (a 4xx), or no target of the route could ever take it. */
    NON_RETRYABLE(false),
    /** Sluice failed handling the record or the provider's answer. */
    PROCESSING_ERROR(false),
    /** The record could not be read: not Sluice's wire format, or a schema the registry does not have. */
    DESERIALIZATION_ERROR(false),
    /** A record could not be written. */
    SERIALIZATION_ERROR(false),
    /** What a reader calls a dead letter that carries no reason header: a record Kafka Streams could not read. */
    POISON_RECORD(false);

    private final boolean providerTrouble;

    DeadLetterReason(boolean providerTrouble) {
        this.providerTrouble = providerTrouble;
    }

    /** Whether the providers, not the request, were at fault: such a request may wait on a retry tier instead. */
    public boolean providerTrouble() {
        return providerTrouble;
    }

    /**
     * The reason a dead letter's headers give, as written (a newer release may write one this one does not know), or
     * {@link #POISON_RECORD} when there is none.
     */
    public static String of(Headers headers) {
        String reason = SluiceHeaders.get(headers, SluiceHeaders.DLQ_REASON);
        return reason != null ? reason : POISON_RECORD.name();
    }
}
