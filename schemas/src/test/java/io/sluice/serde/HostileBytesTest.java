package io.sluice.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.schemas.PromptRequest;
import java.util.Arrays;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;
import org.apache.avro.Schema;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

/** Bytes written to hurt the reader: each must fail as a SerializationException, fast and without allocating. */
class HostileBytesTest {
    private static final int ID = PromptRequestFixtures.SCHEMA_ID;
    private final InMemorySchemaRegistry registry = new InMemorySchemaRegistry(1).with(ID, PromptRequest.getClassSchema());
    private final SpecificAvroDeserializer<PromptRequest> deserializer =
            new SpecificAvroDeserializer<>(registry, PromptRequest.class, new DecodeLimits(64 * 1024, 1_000, 32));

    /** The fixed fields every request starts with: four ids, the time and the route. */
    private static AvroBinary fixedFields() {
        return new AvroBinary().header(ID).string("r1").string("t").string("u").string("a").number(1).string("m");
    }

    @Test
    void refusesTheFortyOneByteArrayBombWithoutAllocatingIt() {
        // Given the record of the hardening issue: a messages array declaring 2,147,483,639 items
        byte[] bomb = fixedFields().block(Integer.MAX_VALUE - 8).string("user").string("hi").bytes();

        // When / Then it is refused as unreadable, naming the count, instead of allocating 16 GB of slots
        assertThatThrownBy(() -> deserializer.deserialize("requests", bomb))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("array declares 2147483639 items");
    }

    @Test
    void refusesAStringLongerThanTheRecord() {
        byte[] bytes = new AvroBinary().header(ID).number(Integer.MAX_VALUE).raw('x').bytes();

        assertThatThrownBy(() -> deserializer.deserialize("requests", bytes))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("string length 2147483647 is more than the 1 bytes left");
    }

    @Test
    void refusesAMapAndAStopListThatDeclareMoreItemsThanBytes() {
        byte[] stop = fixedFields().block(1).string("user").string("hi").end()
                .branch(0).branch(0).branch(0).block(5_000_000).bytes();
        byte[] map = fixedFields().block(1).string("user").string("hi").end()
                .branch(0).branch(0).branch(0).end().block(Long.MAX_VALUE / 4).bytes();

        assertThatThrownBy(() -> deserializer.deserialize("requests", stop))
                .isInstanceOf(SerializationException.class).hasMessageContaining("array declares 5000000 items");
        assertThatThrownBy(() -> deserializer.deserialize("requests", map))
                .isInstanceOf(SerializationException.class).hasMessageContaining("map declares");
    }

    @Test
    void holdsAllCollectionsTogetherToTheItemLimit() {
        // Given 600 messages and 600 metadata entries: each within the 1,000-item limit, together over it
        AvroBinary bytes = fixedFields().block(600);
        for (int i = 0; i < 600; i++) {
            bytes.string("user").string("m" + i);
        }
        bytes.end().branch(0).branch(0).branch(0).end().block(600);
        for (int i = 0; i < 600; i++) {
            bytes.string("k" + i).string("v");
        }
        byte[] payload = bytes.end().branch(0).bytes();

        assertThatThrownBy(() -> deserializer.deserialize("requests", payload))
                .isInstanceOf(SerializationException.class).hasMessageContaining("at most 1000 items in all");
    }

    @Test
    void refusesInvalidUtf8() {
        byte[] bytes = new AvroBinary().header(ID).number(2).raw(0xC3, 0x28).bytes();

        assertThatThrownBy(() -> deserializer.deserialize("requests", bytes))
                .isInstanceOf(SerializationException.class).hasMessageContaining("not valid UTF-8");
    }

    @Test
    void refusesARecordOverTheSizeLimitBeforeReadingIt() {
        byte[] big = new byte[64 * 1024 + 1];

        assertThatThrownBy(() -> deserializer.deserialize("requests", big))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("65537 bytes, more than the 65536 allowed");
    }

    @Test
    void refusesBytesLeftOverAfterTheRecord() {
        byte[] bytes = concat(PromptRequestFixtures.minimalBytes(), new byte[] {7, 7});

        assertThatThrownBy(() -> deserializer.deserialize("requests", bytes))
                .isInstanceOf(SerializationException.class).hasMessageContaining("2 bytes left over");
    }

    @Test
    void refusesAWriterSchemaThatIsRecursiveOrNestsTooDeep() {
        // Given writer schemas registered under ids 40 (recursive) and 41 (40 levels of nested arrays)
        Schema recursive = new Schema.Parser().parse("""
                {"type": "record", "name": "PromptRequest", "namespace": "io.sluice.schemas", "fields": [
                  {"name": "next", "type": ["null", "PromptRequest"]}]}""");
        String deep = "\"string\"";
        for (int i = 0; i < 40; i++) {
            deep = "{\"type\": \"array\", \"items\": " + deep + "}";
        }
        Schema nested = new Schema.Parser().parse("""
                {"type": "record", "name": "PromptRequest", "namespace": "io.sluice.schemas", "fields": [
                  {"name": "x", "type": %s}]}""".formatted(deep));
        registry.with(40, recursive).with(41, nested);

        // When / Then records naming them are refused before any byte of the body is read
        assertThatThrownBy(() -> deserializer.deserialize("requests", new AvroBinary().header(40).branch(0).bytes()))
                .isInstanceOf(SerializationException.class).hasMessageContaining("is recursive");
        assertThatThrownBy(() -> deserializer.deserialize("requests", new AvroBinary().header(41).end().bytes()))
                .isInstanceOf(SerializationException.class).hasMessageContaining("nests 41 levels deep");
    }

    @Test
    void readsEveryValidRecordOfTheFixturesUnchanged() {
        assertThat(deserializer.deserialize("requests", PromptRequestFixtures.fullBytes()))
                .isEqualTo(PromptRequestFixtures.full());
    }

    @Property(tries = 2_000)
    void anyCorruptionOfAValidRecordIsReadOrRefusedNeverAnError(@ForAll("corruptions") byte[] bytes) {
        // Any bytes after a known schema id: either a record comes back, or a SerializationException; never an
        // OutOfMemoryError, a StackOverflowError or another exception type that would stop a stream thread.
        try {
            assertThat(deserializer.deserialize("requests", bytes)).isNotNull();
        } catch (SerializationException expected) {
            assertThat(expected.getMessage()).contains("PromptRequest");
        }
    }

    @Property(tries = 1_000)
    void randomBodiesAreReadOrRefused(@ForAll @Size(max = 200) byte[] body) {
        byte[] bytes = concat(new AvroBinary().header(ID).bytes(), body);
        try {
            deserializer.deserialize("requests", bytes);
        } catch (SerializationException expected) {
            assertThat(expected).isNotNull();
        }
    }

    @Provide
    Arbitrary<byte[]> corruptions() {
        byte[] valid = PromptRequestFixtures.fullBytes();
        Arbitrary<Integer> at = Arbitraries.integers().between(5, valid.length - 1);
        Arbitrary<byte[]> flipped = at.flatMap(i -> Arbitraries.integers().between(0, 255).map(b -> {
            byte[] copy = valid.clone();
            copy[i] = (byte) (int) b;
            return copy;
        }));
        Arbitrary<byte[]> truncated = at.map(i -> Arrays.copyOf(valid, i));
        Arbitrary<byte[]> varintBomb = at.map(i -> {
            byte[] copy = valid.clone();
            copy[i] = (byte) 0xFE;
            return concat(Arrays.copyOf(copy, i + 1), new byte[] {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x0F},
                    Arrays.copyOfRange(valid, i + 1, valid.length));
        });
        return Arbitraries.oneOf(flipped, truncated, varintBomb);
    }

    private static byte[] concat(byte[]... parts) {
        int length = Arrays.stream(parts).mapToInt(p -> p.length).sum();
        byte[] all = new byte[length];
        int at = 0;
        for (byte[] part : parts) {
            System.arraycopy(part, 0, all, at, part.length);
            at += part.length;
        }
        return all;
    }
}
