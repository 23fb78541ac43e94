package io.sluice.serde;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The hand encoder the serde tests compare with, checked against the examples the format descriptions give. */
class AvroBinaryTest {

    @Test
    void encodesIntsAndLongsAsTheSpecificationsZigZagTable() {
        // Given the Avro specification's table: 0 -> 00, -1 -> 01, 1 -> 02, -2 -> 03, 2 -> 04, -64 -> 7f, 64 -> 80 01
        // When each value is encoded
        // Then the bytes are the table's
        assertThat(new AvroBinary().number(0).bytes()).containsExactly(0x00);
        assertThat(new AvroBinary().number(-1).bytes()).containsExactly(0x01);
        assertThat(new AvroBinary().number(1).bytes()).containsExactly(0x02);
        assertThat(new AvroBinary().number(-2).bytes()).containsExactly(0x03);
        assertThat(new AvroBinary().number(2).bytes()).containsExactly(0x04);
        assertThat(new AvroBinary().number(-64).bytes()).containsExactly(0x7f);
        assertThat(new AvroBinary().number(64).bytes()).containsExactly(0x80, 0x01);
    }

    @Test
    void encodesTheLongExtremesInTenBytes() {
        // Given the largest and smallest longs, whose zig-zag forms use all 64 bits
        // When encoded
        // Then each takes ten 7-bit groups
        assertThat(new AvroBinary().number(Long.MAX_VALUE).bytes()).containsExactly(
                0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01);
        assertThat(new AvroBinary().number(Long.MIN_VALUE).bytes()).containsExactly(
                0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01);
    }

    @Test
    void encodesStringsAsUtf8ByteCountThenBytes() {
        // Given the specification's example "foo" and a string with a two-byte character
        // When encoded
        // Then the length is of the UTF-8 bytes, not the characters
        assertThat(new AvroBinary().string("foo").bytes()).containsExactly(0x06, 0x66, 0x6f, 0x6f);
        assertThat(new AvroBinary().string("é").bytes()).containsExactly(0x04, 0xc3, 0xa9);
    }

    @Test
    void encodesDoublesLittleEndian() {
        // Given 1.0, whose IEEE 754 bits are 0x3FF0000000000000
        // When encoded
        // Then the least significant byte comes first
        assertThat(new AvroBinary().doubleValue(1.0).bytes()).containsExactly(0, 0, 0, 0, 0, 0, 0xf0, 0x3f);
    }

    @Test
    void writesTheConfluentHeaderWithTheIdBigEndian() {
        // Given schema id 258 (0x00000102)
        // When the header is written
        // Then it is the magic byte then 00 00 01 02
        assertThat(new AvroBinary().header(258).bytes()).containsExactly(0x00, 0x00, 0x00, 0x01, 0x02);
    }
}
