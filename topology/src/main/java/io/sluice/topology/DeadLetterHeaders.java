package io.sluice.topology;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Headers;

/**
 * The dead-letter header convention. Kafka Streams' own dead-letter records (poison records that could not be
 * deserialized or processed) carry {@code __streams.errors.*} headers with the source coordinates; Sluice's stages
 * add the same exception headers plus {@code sluice.dlq.*} ones, so one reader handles both. Values are UTF-8.
 */
public final class DeadLetterHeaders {
    public static final String EXCEPTION = "__streams.errors.exception";
    public static final String MESSAGE = "__streams.errors.message";
    public static final String TOPIC = "__streams.errors.topic";
    public static final String PARTITION = "__streams.errors.partition";
    public static final String OFFSET = "__streams.errors.offset";
    public static final String REASON = "sluice.dlq.reason";
    public static final String STAGE = "sluice.dlq.stage";
    public static final String REQUEST_ID = "sluice.dlq.request.id";
    public static final String ATTEMPTS = "sluice.dlq.attempts";
    public static final String ERROR_CLASS = "sluice.dlq.error.class";
    public static final String PROVIDER = "sluice.dlq.provider";
    public static final String STATUS = "sluice.dlq.status";
    public static final String AT = "sluice.dlq.at";
    /** One header per failed attempt, oldest first: a JSON object with attempt, target, status, errorClass, error, at. */
    public static final String ATTEMPT = "sluice.dlq.attempt";
    public static final String FIRST_FAILURE_AT = "sluice.dlq.first.failure.at";
    public static final String LAST_FAILURE_AT = "sluice.dlq.last.failure.at";
    public static final String APP_VERSION = "sluice.dlq.app.version";

    private DeadLetterHeaders() {}

    /** Sets {@code name} to {@code value}, replacing an earlier value (a replayed record may carry old ones). */
    public static void put(Headers headers, String name, Object value) {
        headers.remove(name);
        headers.add(name, String.valueOf(value).getBytes(StandardCharsets.UTF_8));
    }

    /** Replaces every {@code name} header with one per value, in order. */
    public static void putAll(Headers headers, String name, java.util.List<String> values) {
        headers.remove(name);
        values.forEach(v -> headers.add(name, v.getBytes(StandardCharsets.UTF_8)));
    }

    /** The value of {@code name}, or null. */
    public static String get(Headers headers, String name) {
        var header = headers.lastHeader(name);
        return header == null || header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    /** When the call stage dead-lettered the record ({@link #AT}), else {@code fallbackMs} (the record's time). */
    public static long at(Headers headers, long fallbackMs) {
        String stamped = get(headers, AT);
        if (stamped != null) {
            try {
                return Long.parseLong(stamped.trim());
            } catch (NumberFormatException ignored) {
                // the fallback
            }
        }
        return fallbackMs;
    }

    /**
     * The request a call-stage dead letter holds, or null for a poison record (no {@link #REASON}, or bytes that are
     * not a request). Never throws: whoever reads dead letters must not fail on one.
     */
    public static io.sluice.schemas.PromptRequest request(String topic, Headers headers, byte[] value,
            org.apache.kafka.common.serialization.Deserializer<io.sluice.schemas.PromptRequest> requests) {
        if (value == null || get(headers, REASON) == null) {
            return null;
        }
        try {
            return requests.deserialize(topic, headers, value);
        } catch (RuntimeException notARequest) {
            return null;
        }
    }
}
