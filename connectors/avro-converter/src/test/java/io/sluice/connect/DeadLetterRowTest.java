package io.sluice.connect;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.schemas.SluiceHeaders;
import java.util.Date;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.header.ConnectHeaders;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class DeadLetterRowTest {
    private static final Schema REQUEST = SchemaBuilder.struct().name("PromptRequest")
            .field("requestId", Schema.STRING_SCHEMA).field("tenantId", Schema.STRING_SCHEMA)
            .field("userId", Schema.STRING_SCHEMA).field("route", Schema.STRING_SCHEMA)
            .field("messages", Schema.STRING_SCHEMA).build();

    private final DeadLetterRow<SinkRecord> transform = new DeadLetterRow<>();

    @Test
    @DisplayName("a call-stage dead letter becomes its ids, route and why; never its messages")
    void callStageDeadLetter() {
        // Given a dead-lettered request with the call stage's headers, as text
        Struct request = new Struct(REQUEST).put("requestId", "r-1").put("tenantId", "acme").put("userId", "ada")
                .put("route", "default").put("messages", "a prompt");
        ConnectHeaders headers = new ConnectHeaders();
        headers.addString(SluiceHeaders.DLQ_REASON, "NON_RETRYABLE").addString(SluiceHeaders.DLQ_STAGE, "call")
                .addString(SluiceHeaders.DLQ_REQUEST_ID, "r-1").addString(SluiceHeaders.DLQ_ATTEMPTS, "2")
                .addString(SluiceHeaders.DLQ_ERROR_CLASS, "bad_request").addString(SluiceHeaders.DLQ_PROVIDER, "openai")
                .addString(SluiceHeaders.DLQ_STATUS, "400").addString(SluiceHeaders.DLQ_AT, "1764810000123")
                .addString(SluiceHeaders.ERROR_EXCEPTION, "io.sluice.provider.ProviderException");

        // When it is transformed
        Struct row = (Struct) transform.apply(new SinkRecord("sluice.dead-letter", 1, Schema.STRING_SCHEMA, "r-1",
                REQUEST, request, 7, 1L, null, headers)).value();

        // Then the row holds the metadata, typed
        assertThat(row.schema()).isEqualTo(DeadLetterRow.SCHEMA);
        assertThat(row.getString("request_id")).isEqualTo("r-1");
        assertThat(row.getString("tenant_id")).isEqualTo("acme");
        assertThat(row.getString("route")).isEqualTo("default");
        assertThat(row.getString("reason")).isEqualTo("NON_RETRYABLE");
        assertThat(row.getString("error_class")).isEqualTo("bad_request");
        assertThat(row.getInt32("attempts")).isEqualTo(2);
        assertThat(row.getInt32("http_status")).isEqualTo(400);
        assertThat(row.get("dead_lettered_at")).isEqualTo(new Date(1764810000123L));
        assertThat(row.schema().field("messages")).isNull();
    }

    @Test
    @DisplayName("a poison record without a key becomes a POISON_RECORD row with where it came from")
    void poisonRecord() {
        // Given bytes that were no request, with Kafka Streams' error headers (typed, as the default header
        // converter reads them) and no key
        ConnectHeaders headers = new ConnectHeaders();
        headers.addString(SluiceHeaders.ERROR_EXCEPTION, "org.apache.kafka.common.errors.SerializationException")
                .addString(SluiceHeaders.ERROR_TOPIC, "sluice.requests").addInt(SluiceHeaders.ERROR_PARTITION, 3)
                .addLong(SluiceHeaders.ERROR_OFFSET, 42L);

        // When it is transformed
        Struct row = (Struct) transform.apply(new SinkRecord("sluice.dead-letter", 0, Schema.OPTIONAL_STRING_SCHEMA,
                null, Schema.OPTIONAL_BYTES_SCHEMA, new byte[] {1, 2, 3}, 9, 1_000L, null, headers)).value();

        // Then it has a row of the same schema, its reason as ./sluice dlq names it
        assertThat(row.schema()).isEqualTo(DeadLetterRow.SCHEMA);
        assertThat(row.getString("reason")).isEqualTo(DeadLetterRow.POISON_RECORD);
        assertThat(row.getString("request_id")).isNull();
        assertThat(row.getString("source_topic")).isEqualTo("sluice.requests");
        assertThat(row.getInt32("source_partition")).isEqualTo(3);
        assertThat(row.getInt64("source_offset")).isEqualTo(42L);
        assertThat(row.get("dead_lettered_at")).isEqualTo(new Date(1_000L));
    }
}
