package io.sluice.connect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.registry.InMemorySchemaRegistryClient;
import io.sluice.registry.SchemaRegistryClient;
import io.sluice.registry.SchemaRegistryException;
import io.sluice.schemas.PromptResponse;
import io.sluice.schemas.ResponseStatus;
import io.sluice.schemas.TokenUsage;
import io.sluice.schemas.internal.UsageTotals;
import io.sluice.serde.SpecificAvroSerde;
import java.time.Instant;
import java.util.Date;
import java.util.Map;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaAndValue;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.data.Timestamp;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.errors.RetriableException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class SluiceAvroConverterTest {
    private final InMemorySchemaRegistryClient registry = new InMemorySchemaRegistryClient();

    private SluiceAvroConverter converter(boolean collectionsAsJson) {
        SluiceAvroConverter converter = new SluiceAvroConverter(registry);
        converter.configure(Map.of(SluiceAvroConverter.REGISTRY_URL, "http://unused",
                SluiceAvroConverter.COLLECTIONS_AS_JSON, collectionsAsJson), false);
        return converter;
    }

    private static SluiceAvroConverter passingUnreadable(SchemaRegistryClient registry) {
        SluiceAvroConverter converter = new SluiceAvroConverter(registry);
        converter.configure(Map.of(SluiceAvroConverter.REGISTRY_URL, "http://unused",
                SluiceAvroConverter.UNREADABLE_VALUES, SluiceAvroConverter.BYTES), false);
        return converter;
    }

    @Test
    @DisplayName("reads a response as a Struct: nested usage, an enum as text, timestamps as Connect Timestamps, nulls optional")
    void responseAsStruct() {
        Instant completed = Instant.parse("2026-12-04T05:00:00.123Z");
        PromptResponse response = PromptResponse.newBuilder().setRequestId("r-1").setTenantId("acme")
                .setUserId("ada").setRoute("default").setStatus(ResponseStatus.FALLBACK).setProvider("anthropic")
                .setModel("claude-sonnet-4-5").setContent("hello").setFinishReason(null)
                .setUsage(new TokenUsage(120L, 30L, 20L, 0L)).setCostMicros(1_234L).setPriceVersion("2026-11")
                .setProviderLatencyMs(410L).setEndToEndLatencyMs(700L).setAttempts(2).setCompletedAt(completed)
                .setVariant(null).build();
        byte[] bytes = SpecificAvroSerde.forValues(registry, PromptResponse.class).serializer()
                .serialize("sluice.responses", response);

        SchemaAndValue read = converter(false).toConnectData("sluice.responses", bytes);

        Struct value = (Struct) read.value();
        assertThat(value.getString("requestId")).isEqualTo("r-1");
        assertThat(value.getString("status")).isEqualTo("FALLBACK");
        assertThat(value.getStruct("usage").getInt64("inputTokens")).isEqualTo(120L);
        assertThat(value.getInt64("costMicros")).isEqualTo(1_234L);
        assertThat(read.schema().field("completedAt").schema().name()).isEqualTo(Timestamp.LOGICAL_NAME);
        assertThat(value.get("completedAt")).isEqualTo(Date.from(completed));
        assertThat(read.schema().field("finishReason").schema().isOptional()).isTrue();
        assertThat(value.get("finishReason")).isNull();
        assertThat(read.schema().field("requestId").schema().isOptional()).isFalse();
    }

    @Test
    @DisplayName("a map is a Connect map, or sorted JSON text with collections.as.json for SQL sinks")
    void mapsAsMapsOrJson() {
        UsageTotals totals = UsageTotals.newBuilder().setRequests(3).setOutcomes(Map.of("REJECTED", 1L, "OK", 2L))
                .setInputTokens(10).setCachedInputTokens(0).setOutputTokens(5).setCostMicros(7)
                .setUnpricedResponses(0).setFirstAt(Instant.ofEpochMilli(1)).setLastAt(Instant.ofEpochMilli(2))
                .build();
        byte[] bytes = SpecificAvroSerde.forValues(registry, UsageTotals.class).serializer()
                .serialize("sluice.usage", totals);

        Struct asMap = (Struct) converter(false).toConnectData("sluice.usage", bytes).value();
        Struct asJson = (Struct) converter(true).toConnectData("sluice.usage", bytes).value();

        assertThat(asMap.getMap("outcomes")).isEqualTo(Map.of("OK", 2L, "REJECTED", 1L));
        assertThat(asJson.schema().field("outcomes").schema().type()).isEqualTo(Schema.Type.STRING);
        assertThat(asJson.getString("outcomes")).isEqualTo("{\"OK\":2,\"REJECTED\":1}");
    }

    @Test
    @DisplayName("bytes that are not Sluice's Avro fail as a DataException naming the topic; a tombstone is null; writing is refused")
    void badBytesTombstonesAndWrites() {
        SluiceAvroConverter converter = converter(false);

        assertThatThrownBy(() -> converter.toConnectData("sluice.dead-letter", new byte[] {1, 2, 3}))
                .isInstanceOf(DataException.class).hasMessageContaining("sluice.dead-letter");
        assertThat(converter.toConnectData("sluice.usage", null)).isEqualTo(SchemaAndValue.NULL);
        assertThatThrownBy(() -> converter.fromConnectData("t", Schema.STRING_SCHEMA, "x"))
                .isInstanceOf(DataException.class).hasMessageContaining("does not write");
    }

    @Test
    @DisplayName("with unreadable.values=bytes, poison passes on as bytes; a registry outage is retriable, never poison")
    void unreadableAsBytes() {
        // Given bytes with the wrong magic byte, and wire-format bytes naming a schema id the registry does not have
        byte[] wrongMagic = {1, 2, 3};
        byte[] unknownId = {0, 0, 1, -122, -97, 2};
        SluiceAvroConverter converter = passingUnreadable(registry);

        // Then both pass on as they are
        assertThat(converter.toConnectData("sluice.dead-letter", wrongMagic))
                .isEqualTo(new SchemaAndValue(Schema.OPTIONAL_BYTES_SCHEMA, wrongMagic));
        assertThat(converter.toConnectData("sluice.dead-letter", unknownId).value()).isEqualTo(unknownId);
        // and a registry that does not answer fails the record as retriable, whatever the setting
        SchemaRegistryClient down = new SchemaRegistryClient() {
            @Override
            public int register(String subject, org.apache.avro.Schema schema) {
                throw new SchemaRegistryException("unreachable", new java.io.IOException("refused"));
            }

            @Override
            public org.apache.avro.Schema schemaById(int id) {
                throw new SchemaRegistryException("unreachable", new java.io.IOException("refused"));
            }
        };
        assertThatThrownBy(() -> passingUnreadable(down).toConnectData("sluice.dead-letter", unknownId))
                .isInstanceOf(RetriableException.class).hasMessageContaining("sluice.dead-letter");
        assertThatThrownBy(() -> converter(false).toConnectData("sluice.dead-letter", unknownId))
                .isInstanceOf(DataException.class).isNotInstanceOf(RetriableException.class);
    }
}
