package io.sluice.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.registry.SchemaRegistryException;
import io.sluice.schemas.ChatMessage;
import io.sluice.schemas.PromptRequest;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class SpecificAvroDeserializerTest {
    private static final String CHAT_MESSAGE = """
            {"type": "record", "name": "ChatMessage", "fields": [
              {"name": "role", "type": "string"}, {"name": "content", "type": "string"}]}""";
    private static final String GENERATION_PARAMS = """
            {"type": "record", "name": "GenerationParams", "fields": [
              {"name": "maxTokens", "type": ["null", "int"], "default": null},
              {"name": "temperature", "type": ["null", "double"], "default": null},
              {"name": "topP", "type": ["null", "double"], "default": null},
              {"name": "stop", "type": {"type": "array", "items": "string"}, "default": []}]}""";
    /** PromptRequest as it was before {@code metadata} and {@code deadline} were added. */
    private static final Schema OLDER_PROMPT_REQUEST = new Schema.Parser().parse("""
            {"type": "record", "name": "PromptRequest", "namespace": "io.sluice.schemas", "fields": [
              {"name": "requestId", "type": "string"}, {"name": "tenantId", "type": "string"},
              {"name": "userId", "type": "string"}, {"name": "appId", "type": "string"},
              {"name": "createdAt", "type": {"type": "long", "logicalType": "timestamp-millis"}},
              {"name": "route", "type": "string"},
              {"name": "messages", "type": {"type": "array", "items": %s}},
              {"name": "params", "type": %s}]}""".formatted(CHAT_MESSAGE, GENERATION_PARAMS));

    private static SpecificAvroDeserializer<PromptRequest> deserializer(InMemorySchemaRegistry registry) {
        return new SpecificAvroDeserializer<>(registry, PromptRequest.class);
    }

    private static InMemorySchemaRegistry registryWithCurrentSchemaAs258() {
        return new InMemorySchemaRegistry(1).with(PromptRequestFixtures.SCHEMA_ID, PromptRequest.getClassSchema());
    }

    @Test
    void readsHandMadeBytesIntoTheRecordTheyDescribe() {
        // Given payloads written out by hand under schema id 258
        InMemorySchemaRegistry registry = registryWithCurrentSchemaAs258();

        // When they are deserialized
        PromptRequest minimal = deserializer(registry).deserialize("prompts", PromptRequestFixtures.minimalBytes());
        PromptRequest full = deserializer(registry).deserialize("prompts", PromptRequestFixtures.fullBytes());

        // Then they are the records the bytes describe
        assertThat(minimal).isEqualTo(PromptRequestFixtures.minimal());
        assertThat(full).isEqualTo(PromptRequestFixtures.full());
    }

    @Test
    void readsArraysAndMapsSplitIntoBlocksIncludingSizedBlocks() {
        // Given the minimal request with its messages in two blocks, the first with a negative count followed by
        // its size in bytes (the form the specification allows so readers can skip), and its map in two blocks
        byte[] bytes = new AvroBinary().header(PromptRequestFixtures.SCHEMA_ID)
                .string("r1").string("t").string("u").string("a").number(1).string("m")
                .block(-1).number(8).string("user").string("hi")
                .block(1).string("assistant").string("yo").end()
                .branch(1).number(100).branch(0).branch(0).end()
                .block(1).string("k").string("v").block(1).string("k2").string("v2").end()
                .branch(0)
                .bytes();

        // When they are deserialized
        PromptRequest read = deserializer(registryWithCurrentSchemaAs258()).deserialize("prompts", bytes);

        // Then every block's items are read
        assertThat(read.getMessages()).containsExactly(new ChatMessage("user", "hi"), new ChatMessage("assistant", "yo"));
        assertThat(read.getMetadata()).isEqualTo(Map.of("k", "v", "k2", "v2"));
    }

    @Test
    void readsBytesWrittenWithAnOlderSchemaFillingTheNewFieldsDefaults() {
        // Given bytes written with the older PromptRequest (no metadata, no deadline), registered as id 7
        InMemorySchemaRegistry registry = new InMemorySchemaRegistry(100).with(7, OLDER_PROMPT_REQUEST);
        byte[] bytes = new AvroBinary().header(7)
                .string("old-1").string("t").string("u").string("a").number(1_700_000_000_000L).string("m")
                .block(1).string("user").string("hi").end()
                .branch(0).branch(1).doubleValue(0.5).branch(0).end()
                .bytes();

        // When they are read as the current PromptRequest
        PromptRequest read = deserializer(registry).deserialize("prompts", bytes);

        // Then the written fields are there and the new ones have their defaults
        assertThat(read.getRequestId()).isEqualTo("old-1");
        assertThat(read.getCreatedAt()).isEqualTo(Instant.ofEpochMilli(1_700_000_000_000L));
        assertThat(read.getMessages()).containsExactly(new ChatMessage("user", "hi"));
        assertThat(read.getParams().getMaxTokens()).isNull();
        assertThat(read.getParams().getTemperature()).isEqualTo(0.5);
        assertThat(read.getMetadata()).isEmpty();
        assertThat(read.getDeadline()).isNull();
    }

    @Test
    void readsBytesWrittenWithANewerSchemaIgnoringFieldsItDoesNotKnow() {
        // Given bytes written with a newer PromptRequest that added an int "priority", registered as id 9
        Schema newer = new Schema.Parser().parse(PromptRequest.getClassSchema().toString()
                .replaceFirst("]}$", ",{\"name\":\"priority\",\"type\":\"int\",\"default\":0}]}"));
        InMemorySchemaRegistry registry = new InMemorySchemaRegistry(100).with(9, newer);
        byte[] minimal = PromptRequestFixtures.minimalBytes();
        byte[] bytes = new AvroBinary().header(9).raw(toInts(Arrays.copyOfRange(minimal, 5, minimal.length)))
                .number(5)
                .bytes();

        // When they are read as the current PromptRequest
        PromptRequest read = deserializer(registry).deserialize("prompts", bytes);

        // Then the known fields are read and the new one is skipped
        assertThat(newer.getField("priority")).isNotNull();
        assertThat(read).isEqualTo(PromptRequestFixtures.minimal());
    }

    @Test
    void refusesAPayloadWithAnotherMagicByte() {
        // Given a payload whose first byte is 1
        byte[] bytes = PromptRequestFixtures.minimalBytes();
        bytes[0] = 1;

        // When it is deserialized
        // Then it is refused as not Confluent wire format
        assertThatThrownBy(() -> deserializer(registryWithCurrentSchemaAs258()).deserialize("prompts", bytes))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("Not Confluent wire format")
                .hasMessageContaining("unknown magic byte 1 (expected 0)");
    }

    @Test
    void refusesAPayloadShorterThanTheHeader() {
        // Given three bytes
        byte[] bytes = {0, 0, 1};

        // When they are deserialized
        // Then they are refused as too short for the 5-byte header
        assertThatThrownBy(() -> deserializer(registryWithCurrentSchemaAs258()).deserialize("prompts", bytes))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("3 bytes is shorter than the 5-byte header");
    }

    @Test
    void refusesASchemaIdTheRegistryDoesNotKnow() {
        // Given a well-formed payload naming schema id 99, which the registry does not have
        byte[] minimal = PromptRequestFixtures.minimalBytes();
        byte[] bytes = new AvroBinary().header(99).raw(toInts(Arrays.copyOfRange(minimal, 5, minimal.length))).bytes();

        // When it is deserialized
        // Then the registry's refusal names the id
        assertThatThrownBy(() -> deserializer(registryWithCurrentSchemaAs258()).deserialize("prompts", bytes))
                .isInstanceOf(SerializationException.class)
                .isInstanceOf(SchemaRegistryException.class)
                .hasMessageContaining("Schema 99 not found");
    }

    @Test
    void fetchesASchemaIdAgainThatWasUnknownAtFirst() {
        // Given a deserializer that failed on schema id 258 before the registry had it
        InMemorySchemaRegistry registry = new InMemorySchemaRegistry(1);
        SpecificAvroDeserializer<PromptRequest> deserializer = deserializer(registry);
        assertThatThrownBy(() -> deserializer.deserialize("prompts", PromptRequestFixtures.minimalBytes()))
                .isInstanceOf(SchemaRegistryException.class);

        // When the schema is registered and the payload read again
        registry.with(PromptRequestFixtures.SCHEMA_ID, PromptRequest.getClassSchema());
        PromptRequest read = deserializer.deserialize("prompts", PromptRequestFixtures.minimalBytes());

        // Then the failure was not cached
        assertThat(read).isEqualTo(PromptRequestFixtures.minimal());
    }

    @Test
    void refusesATruncatedBodyNamingTheTypeSchemaIdAndTopic() {
        // Given a payload cut off in the middle of the route string
        byte[] bytes = Arrays.copyOf(PromptRequestFixtures.minimalBytes(), 16);

        // When it is deserialized
        // Then the error says what could not be decoded, from where
        assertThatThrownBy(() -> deserializer(registryWithCurrentSchemaAs258()).deserialize("prompts", bytes))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("Could not Avro-decode a io.sluice.schemas.PromptRequest")
                .hasMessageContaining("schema id 258")
                .hasMessageContaining("topic prompts");
    }

    @Test
    void deserializesNullAsNull() {
        // Given a tombstone
        // When it is deserialized
        // Then the value is null
        assertThat(deserializer(new InMemorySchemaRegistry(1)).deserialize("prompts", null)).isNull();
    }

    @Test
    void readsWhatTheSerializerWrites() {
        // Given a serializer and a deserializer sharing a registry
        InMemorySchemaRegistry registry = new InMemorySchemaRegistry(1);
        var serde = SpecificAvroSerde.forValues(registry, PromptRequest.class);

        // When the full request is written and read back
        PromptRequest read = serde.deserializer().deserialize("prompts",
                serde.serializer().serialize("prompts", PromptRequestFixtures.full()));

        // Then it is unchanged
        assertThat(read).isEqualTo(PromptRequestFixtures.full());
    }

    private static int[] toInts(byte[] bytes) {
        int[] ints = new int[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            ints[i] = bytes[i] & 0xFF;
        }
        return ints;
    }
}
