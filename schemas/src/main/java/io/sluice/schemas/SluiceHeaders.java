package io.sluice.schemas;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.kafka.common.header.Headers;

/**
 * Every {@code sluice.*} name a record carries, in one place: the request metadata keys the sanitize stage reserves,
 * the headers of a record on a retry tier, and the dead-letter headers. Kafka Streams' own dead-letter records carry
 * {@code __streams.errors.*} headers with the source coordinates; Sluice's stages add the same exception headers plus
 * {@code sluice.dlq.*} ones, so one reader handles both. Header values are UTF-8 text.
 */
public final class SluiceHeaders {
    /** Metadata keys under this prefix are Sluice's: the sanitize stage removes any a producer sends. */
    public static final String RESERVED_PREFIX = "sluice.";

    // Request metadata, written by the stages
    /** Header and metadata key: how many times {@code sluice dlq replay} has replayed this request. */
    public static final String REPLAY_COUNT = "sluice.replay.count";
    /** On a replayed request: the dead letter it came from (topic/partition/offset), who replayed it, and when. */
    public static final String REPLAY_OF = "sluice.replay.of";
    public static final String REPLAY_BY = "sluice.replay.by";
    public static final String REPLAY_AT = "sluice.replay.at";
    public static final String INJECTION_FLAGGED = "sluice.injection.flagged";
    public static final String INJECTION_SCORE = "sluice.injection.score";
    public static final String INJECTION_RULES = "sluice.injection.rules";
    /** The injection model's probability and the combined one, when the model took part. */
    public static final String INJECTION_MODEL = "sluice.injection.model";
    public static final String INJECTION_COMBINED = "sluice.injection.combined";
    public static final String PII_FOUND = "sluice.pii.found";
    public static final String PII_REDACTED = "sluice.pii.redacted";
    /** Input tokens the sanitize stage counted with the route model's tokenizer. */
    public static final String INPUT_TOKENS = "sluice.input.tokens";
    /** The route a request asked for, when the budget stage sent it to the route's downgrade instead. */
    public static final String ROUTE_REQUESTED = "sluice.route.requested";

    // A record on a retry tier, also kept on the record fed back to the call stage so it knows the request resumes
    /** Prefix of every retry-tier header: the sanitize stage strips any a producer sends. */
    public static final String RETRY_PREFIX = "sluice.retry.";
    /** Retry tier the record is on, from 1. */
    public static final String RETRY_TIER = "sluice.retry.tier";
    /** Provider calls made for the request so far. */
    public static final String RETRY_ATTEMPTS = "sluice.retry.attempts";
    /** When the tier feeds it back to the call stage, epoch milliseconds. */
    public static final String RETRY_DUE_AT = "sluice.retry.due.at";
    /** Why the route could not answer: RETRIES_EXHAUSTED or NO_TARGET_AVAILABLE. */
    public static final String RETRY_REASON = "sluice.retry.reason";
    /** The last attempt's error, redacted. */
    public static final String RETRY_LAST_ERROR = "sluice.retry.last.error";

    // A dead letter: Kafka Streams' names, then Sluice's
    public static final String ERROR_EXCEPTION = "__streams.errors.exception";
    public static final String ERROR_MESSAGE = "__streams.errors.message";
    public static final String ERROR_TOPIC = "__streams.errors.topic";
    public static final String ERROR_PARTITION = "__streams.errors.partition";
    public static final String ERROR_OFFSET = "__streams.errors.offset";
    /** A {@link DeadLetterReason}, or none on a record Kafka Streams could not read. */
    public static final String DLQ_REASON = "sluice.dlq.reason";
    public static final String DLQ_STAGE = "sluice.dlq.stage";
    public static final String DLQ_REQUEST_ID = "sluice.dlq.request.id";
    public static final String DLQ_ATTEMPTS = "sluice.dlq.attempts";
    public static final String DLQ_ERROR_CLASS = "sluice.dlq.error.class";
    public static final String DLQ_PROVIDER = "sluice.dlq.provider";
    public static final String DLQ_STATUS = "sluice.dlq.status";
    public static final String DLQ_AT = "sluice.dlq.at";
    /** One header per failed attempt, oldest first: a JSON object with attempt, target, status, errorClass, error, at. */
    public static final String DLQ_ATTEMPT = "sluice.dlq.attempt";
    public static final String DLQ_FIRST_FAILURE_AT = "sluice.dlq.first.failure.at";
    public static final String DLQ_LAST_FAILURE_AT = "sluice.dlq.last.failure.at";
    public static final String DLQ_APP_VERSION = "sluice.dlq.app.version";

    private SluiceHeaders() {}

    /** Sets {@code name} to {@code value}, replacing an earlier value (a replayed record may carry old ones). */
    public static void put(Headers headers, String name, Object value) {
        headers.remove(name);
        headers.add(name, String.valueOf(value).getBytes(StandardCharsets.UTF_8));
    }

    /** Replaces every {@code name} header with one per value, in order. */
    public static void putAll(Headers headers, String name, List<String> values) {
        headers.remove(name);
        values.forEach(v -> headers.add(name, v.getBytes(StandardCharsets.UTF_8)));
    }

    /** The value of {@code name}, or null. */
    public static String get(Headers headers, String name) {
        var header = headers.lastHeader(name);
        return header == null || header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    /** The number {@code name} holds, or {@code fallback} when it holds none readable. */
    public static long getLong(Headers headers, String name, long fallback) {
        String value = get(headers, name);
        try {
            return value == null ? fallback : Long.parseLong(value.strip());
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    /** The retry tier a record says it comes from, 0 when it carries none (a new request). */
    public static int retryTier(Headers headers) {
        return (int) Math.max(0, Math.min(Integer.MAX_VALUE, getLong(headers, RETRY_TIER, 0)));
    }
}
