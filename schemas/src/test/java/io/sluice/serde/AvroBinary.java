package io.sluice.serde;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Builds expected payloads by hand from the format descriptions, independently of Avro's own encoder: the
 * Confluent header (magic byte 0, schema id as 4 big-endian bytes) and the Avro binary encoding of the
 * specification (https://avro.apache.org/docs/1.12.0/specification/#binary-encoding).
 */
final class AvroBinary {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    /** Magic byte 0, then the id most significant byte first. */
    AvroBinary header(int schemaId) {
        out.write(0);
        out.write(schemaId >>> 24);
        out.write(schemaId >>> 16);
        out.write(schemaId >>> 8);
        out.write(schemaId);
        return this;
    }

    /** int and long: zig-zag, then a variable-length base-128 integer, low 7-bit group first. */
    AvroBinary number(long n) {
        long zigzag = (n << 1) ^ (n >> 63);
        while ((zigzag & ~0x7FL) != 0) {
            out.write((int) ((zigzag & 0x7F) | 0x80));
            zigzag >>>= 7;
        }
        out.write((int) zigzag);
        return this;
    }

    /** string: the UTF-8 byte count as a long, then the bytes. */
    AvroBinary string(String s) {
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        number(utf8.length);
        out.writeBytes(utf8);
        return this;
    }

    /** double: the IEEE 754 bits as 8 bytes, little-endian. */
    AvroBinary doubleValue(double d) {
        long bits = Double.doubleToLongBits(d);
        for (int i = 0; i < 8; i++) {
            out.write((int) (bits >>> (8 * i)));
        }
        return this;
    }

    /** union: the zero-based index of the branch as a long; the branch's value follows. */
    AvroBinary branch(int index) {
        return number(index);
    }

    /** array and map: a block of {@code count} items follows; a block count of 0 ends the array or map. */
    AvroBinary block(long count) {
        return number(count);
    }

    AvroBinary end() {
        return number(0);
    }

    AvroBinary raw(int... bytes) {
        for (int b : bytes) {
            out.write(b);
        }
        return this;
    }

    byte[] bytes() {
        return out.toByteArray();
    }

    /** Hex for readable assertion failures. */
    static String hex(byte[] bytes) {
        StringBuilder s = new StringBuilder();
        for (byte b : bytes) {
            s.append(String.format("%02x ", b & 0xFF));
        }
        return s.toString().strip();
    }
}
