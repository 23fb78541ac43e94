package io.sluice.connect;

import io.sluice.schemas.DeadLetterReason;
import io.sluice.schemas.SluiceHeaders;
import java.nio.charset.StandardCharsets;
import java.util.Date;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.connect.connector.ConnectRecord;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.data.Timestamp;
import org.apache.kafka.connect.header.Header;
import org.apache.kafka.connect.transforms.Transformation;

/**
 * Turns any record of Sluice's dead-letter topic into one row of its metadata, in one fixed schema: the call stage's
 * dead letters (a request, with {@code sluice.dlq.*} headers on why) and the error handlers' poison records (bytes
 * that are not a request, with {@code __streams.errors.*} headers on where they came from) alike, so a sink can keep
 * one row per record. Never the prompt: only ids, route, why and where. The value is read when it is a request
 * ({@link SluiceAvroConverter} with {@code unreadable.values=bytes} passes poison on as bytes); every header is read
 * as text, whichever header converter the connector has.
 */
public final class DeadLetterRow<R extends ConnectRecord<R>> implements Transformation<R> {
    /** {@code reason} of a record without {@code sluice.dlq.reason}: what {@code ./sluice dlq} calls it. */
    public static final String POISON_RECORD = DeadLetterReason.POISON_RECORD.name();

    static final Schema SCHEMA = SchemaBuilder.struct().name("io.sluice.connect.DeadLetterRow")
            .field("request_id", Schema.OPTIONAL_STRING_SCHEMA)
            .field("tenant_id", Schema.OPTIONAL_STRING_SCHEMA)
            .field("user_id", Schema.OPTIONAL_STRING_SCHEMA)
            .field("route", Schema.OPTIONAL_STRING_SCHEMA)
            .field("reason", Schema.STRING_SCHEMA)
            .field("stage", Schema.OPTIONAL_STRING_SCHEMA)
            .field("error_class", Schema.OPTIONAL_STRING_SCHEMA)
            .field("provider", Schema.OPTIONAL_STRING_SCHEMA)
            .field("http_status", Schema.OPTIONAL_INT32_SCHEMA)
            .field("attempts", Schema.OPTIONAL_INT32_SCHEMA)
            .field("exception", Schema.OPTIONAL_STRING_SCHEMA)
            .field("source_topic", Schema.OPTIONAL_STRING_SCHEMA)
            .field("source_partition", Schema.OPTIONAL_INT32_SCHEMA)
            .field("source_offset", Schema.OPTIONAL_INT64_SCHEMA)
            .field("dead_lettered_at", Timestamp.builder().optional().build())
            .build();

    @Override
    public R apply(R record) {
        Struct request = record.value() instanceof Struct struct ? struct : null;
        String reason = header(record, SluiceHeaders.DLQ_REASON);
        Long at = number(header(record, SluiceHeaders.DLQ_AT));
        if (at == null) {
            at = record.timestamp();
        }
        Struct row = new Struct(SCHEMA)
                .put("request_id", firstOf(header(record, SluiceHeaders.DLQ_REQUEST_ID), field(request, "requestId"),
                        record.key() == null ? null : String.valueOf(record.key())))
                .put("tenant_id", field(request, "tenantId"))
                .put("user_id", field(request, "userId"))
                .put("route", field(request, "route"))
                .put("reason", reason == null ? POISON_RECORD : reason)
                .put("stage", header(record, SluiceHeaders.DLQ_STAGE))
                .put("error_class", header(record, SluiceHeaders.DLQ_ERROR_CLASS))
                .put("provider", header(record, SluiceHeaders.DLQ_PROVIDER))
                .put("http_status", integer(header(record, SluiceHeaders.DLQ_STATUS)))
                .put("attempts", integer(header(record, SluiceHeaders.DLQ_ATTEMPTS)))
                .put("exception", header(record, SluiceHeaders.ERROR_EXCEPTION))
                .put("source_topic", header(record, SluiceHeaders.ERROR_TOPIC))
                .put("source_partition", integer(header(record, SluiceHeaders.ERROR_PARTITION)))
                .put("source_offset", number(header(record, SluiceHeaders.ERROR_OFFSET)))
                .put("dead_lettered_at", at == null ? null : new Date(at));
        return record.newRecord(record.topic(), record.kafkaPartition(), record.keySchema(), record.key(), SCHEMA,
                row, record.timestamp(), record.headers());
    }

    /** The last {@code name} header as text, or null. */
    private static String header(ConnectRecord<?> record, String name) {
        Header header = record.headers().lastWithName(name);
        if (header == null || header.value() == null) {
            return null;
        }
        return header.value() instanceof byte[] bytes ? new String(bytes, StandardCharsets.UTF_8)
                : String.valueOf(header.value());
    }

    /** A text field of the request, when the value is one and has it. */
    private static String field(Struct request, String name) {
        if (request == null || request.schema().field(name) == null) {
            return null;
        }
        Object value = request.get(name);
        return value == null ? null : String.valueOf(value);
    }

    private static String firstOf(String... values) {
        for (String value : values) {
            if (value != null) {
                return value;
            }
        }
        return null;
    }

    private static Long number(String text) {
        try {
            return text == null ? null : Long.valueOf(text.trim());
        } catch (NumberFormatException e) {
            return null; // a header someone else wrote: the column stays empty rather than the record failing
        }
    }

    private static Integer integer(String text) {
        Long value = number(text);
        return value == null || value != value.intValue() ? null : value.intValue();
    }

    @Override
    public ConfigDef config() {
        return new ConfigDef();
    }

    @Override
    public void configure(Map<String, ?> configs) {
        // nothing to set: the schema is fixed
    }

    @Override
    public void close() {
        // nothing held
    }
}
