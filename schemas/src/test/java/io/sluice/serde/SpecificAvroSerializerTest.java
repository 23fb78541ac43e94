package io.sluice.serde;

import static io.sluice.serde.AvroBinary.hex;
import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.schemas.PromptRequest;
import org.junit.jupiter.api.Test;

class SpecificAvroSerializerTest {

    @Test
    void writesTheMagicByteTheSchemaIdAndTheAvroBodyByteForByte() {
        // Given a registry that gives the PromptRequest schema id 258
        InMemorySchemaRegistry registry = new InMemorySchemaRegistry(PromptRequestFixtures.SCHEMA_ID);

        // When a small PromptRequest is serialized
        byte[] bytes = new SpecificAvroSerializer<PromptRequest>(registry, false)
                .serialize("prompts", PromptRequestFixtures.minimal());

        // Then the payload is exactly the bytes written out by hand
        assertThat(hex(bytes)).isEqualTo(hex(PromptRequestFixtures.minimalBytes()));
    }

    @Test
    void encodesEveryFieldTypeAsTheAvroSpecificationDescribes() {
        // Given a PromptRequest with every field set, including unions, doubles, negatives and non-ASCII text
        InMemorySchemaRegistry registry = new InMemorySchemaRegistry(PromptRequestFixtures.SCHEMA_ID);

        // When it is serialized
        byte[] bytes = new SpecificAvroSerializer<PromptRequest>(registry, false)
                .serialize("prompts", PromptRequestFixtures.full());

        // Then the payload is the hand-encoded one
        assertThat(hex(bytes)).isEqualTo(hex(PromptRequestFixtures.fullBytes()));
    }

    @Test
    void registersTheSchemaUnderTheTopicNameStrategySubject() {
        // Given a registry
        InMemorySchemaRegistry registry = new InMemorySchemaRegistry(1);

        // When a value and a key are serialized for topic "prompts"
        new SpecificAvroSerializer<PromptRequest>(registry, false).serialize("prompts", PromptRequestFixtures.minimal());
        new SpecificAvroSerializer<PromptRequest>(registry, true).serialize("prompts", PromptRequestFixtures.minimal());

        // Then the subjects are <topic>-value and <topic>-key
        assertThat(registry.registeredSubjects()).containsExactly("prompts-value", "prompts-key");
    }

    @Test
    void serializesNullAsNullForTombstones() {
        // Given a serializer
        SpecificAvroSerializer<PromptRequest> serializer = new SpecificAvroSerializer<>(new InMemorySchemaRegistry(1), false);

        // When null is serialized
        // Then the payload is null, a Kafka tombstone
        assertThat(serializer.serialize("prompts", null)).isNull();
    }

    @Test
    void aFailedWriteLeavesNothingInTheNextRecord() {
        // Given a serializer that has just failed halfway through a record (a required field left null)
        InMemorySchemaRegistry registry = new InMemorySchemaRegistry(PromptRequestFixtures.SCHEMA_ID);
        SpecificAvroSerializer<PromptRequest> serializer = new SpecificAvroSerializer<>(registry, false);
        PromptRequest broken = PromptRequestFixtures.full();
        broken.setMessages(null);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> serializer.serialize("prompts", broken))
                .isInstanceOf(org.apache.kafka.common.errors.SerializationException.class);

        // When the next records are serialized on the same thread, a large one among them
        byte[] full = serializer.serialize("prompts", PromptRequestFixtures.full());
        PromptRequest large = PromptRequestFixtures.full();
        large.setAppId("x".repeat(3 << 20));
        byte[] largeBytes = serializer.serialize("prompts", large);
        byte[] minimal = serializer.serialize("prompts", PromptRequestFixtures.minimal());

        // Then each is exactly its own bytes
        assertThat(hex(full)).isEqualTo(hex(PromptRequestFixtures.fullBytes()));
        assertThat(new SpecificAvroDeserializer<>(registry, PromptRequest.class).deserialize("prompts", largeBytes)
                .getAppId()).hasSize(3 << 20);
        assertThat(hex(minimal)).isEqualTo(hex(PromptRequestFixtures.minimalBytes()));
    }
}
