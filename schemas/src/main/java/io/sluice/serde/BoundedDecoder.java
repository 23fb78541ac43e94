package io.sluice.serde;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.io.Decoder;
import org.apache.avro.util.Utf8;

/**
 * An Avro binary decoder over one record's bytes that believes no length it reads: every string, bytes and fixed
 * length must fit in the bytes left, and collections may hold no more items in all than there are bytes left (every
 * element of a Sluice schema takes at least one byte, which {@code SchemaCatalogTest} checks) nor more than
 * {@link DecodeLimits#maxCollectionItems()}. Strings must be valid UTF-8. Avro's own {@code BinaryDecoder} allocates
 * whatever a length says first (up to 2^31 - 9 array slots by default), so a 41-byte record could ask for gigabytes.
 * Each violation is an {@link AvroRuntimeException} naming what was wrong, which the deserializer turns into a
 * dead letter.
 */
final class BoundedDecoder extends Decoder {
    private final byte[] data;
    private final int end;
    private final DecodeLimits limits;
    private int pos;
    private long items;
    private CharsetDecoder utf8;

    /** Reads one whole datum from {@code data[offset..]}: every byte must belong to it. */
    static <T> T readWhole(org.apache.avro.io.DatumReader<T> reader, byte[] data, int offset, DecodeLimits limits)
            throws java.io.IOException {
        BoundedDecoder decoder = new BoundedDecoder(data, offset, data.length - offset, limits);
        T value = reader.read(null, decoder);
        if (decoder.remaining() > 0) {
            throw new java.io.IOException(decoder.remaining() + " bytes left over after the record");
        }
        return value;
    }

    BoundedDecoder(byte[] data, int offset, int length, DecodeLimits limits) {
        this.data = data;
        this.pos = offset;
        this.end = offset + length;
        this.limits = limits;
    }

    /** Bytes not read yet. */
    int remaining() {
        return end - pos;
    }

    @Override
    public void readNull() {}

    @Override
    public boolean readBoolean() throws IOException {
        int b = nextByte();
        if (b > 1) {
            throw new AvroRuntimeException("boolean byte is " + b + ", not 0 or 1");
        }
        return b == 1;
    }

    @Override
    public int readInt() throws IOException {
        long value = readLong();
        if (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE) {
            throw new AvroRuntimeException("int value " + value + " is out of range");
        }
        return (int) value;
    }

    @Override
    public long readLong() throws IOException {
        long raw = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            int b = nextByte();
            raw |= (long) (b & 0x7f) << shift;
            if ((b & 0x80) == 0) {
                return (raw >>> 1) ^ -(raw & 1);
            }
        }
        throw new AvroRuntimeException("varint longer than 10 bytes at byte " + pos);
    }

    @Override
    public float readFloat() throws IOException {
        need(4);
        int bits = (data[pos] & 0xff) | (data[pos + 1] & 0xff) << 8 | (data[pos + 2] & 0xff) << 16
                | (data[pos + 3] & 0xff) << 24;
        pos += 4;
        return Float.intBitsToFloat(bits);
    }

    @Override
    public double readDouble() throws IOException {
        need(8);
        long bits = 0;
        for (int i = 7; i >= 0; i--) {
            bits = bits << 8 | (data[pos + i] & 0xff);
        }
        pos += 8;
        return Double.longBitsToDouble(bits);
    }

    @Override
    public Utf8 readString(Utf8 old) throws IOException {
        int length = length("string");
        checkUtf8(length);
        Utf8 result = old == null ? new Utf8() : old;
        result.setByteLength(length);
        System.arraycopy(data, pos, result.getBytes(), 0, length);
        pos += length;
        return result;
    }

    @Override
    public String readString() throws IOException {
        int length = length("string");
        String result = decodeUtf8(length);
        pos += length;
        return result;
    }

    @Override
    public void skipString() throws IOException {
        pos += length("string");
    }

    @Override
    public ByteBuffer readBytes(ByteBuffer old) throws IOException {
        int length = length("bytes");
        ByteBuffer result = old != null && old.capacity() >= length ? old.clear() : ByteBuffer.allocate(length);
        result.put(data, pos, length).flip();
        pos += length;
        return result;
    }

    @Override
    public void skipBytes() throws IOException {
        pos += length("bytes");
    }

    @Override
    public void readFixed(byte[] bytes, int start, int length) throws IOException {
        need(length);
        System.arraycopy(data, pos, bytes, start, length);
        pos += length;
    }

    @Override
    public void skipFixed(int length) throws IOException {
        need(length);
        pos += length;
    }

    @Override
    public int readEnum() throws IOException {
        return readInt();
    }

    @Override
    public long readArrayStart() throws IOException {
        return blockCount("array");
    }

    @Override
    public long arrayNext() throws IOException {
        return blockCount("array");
    }

    @Override
    public long skipArray() throws IOException {
        return skipBlocks("array");
    }

    @Override
    public long readMapStart() throws IOException {
        return blockCount("map");
    }

    @Override
    public long mapNext() throws IOException {
        return blockCount("map");
    }

    @Override
    public long skipMap() throws IOException {
        return skipBlocks("map");
    }

    @Override
    public int readIndex() throws IOException {
        return readInt();
    }

    private int nextByte() throws EOFException {
        if (pos >= end) {
            throw new EOFException("record ends early: truncated after " + (end - pos) + " bytes left");
        }
        return data[pos++] & 0xff;
    }

    private void need(long n) throws EOFException {
        if (n < 0 || n > end - pos) {
            throw new EOFException("record ends early: " + n + " bytes needed, " + (end - pos) + " left");
        }
    }

    /** A string's or bytes' length, which the bytes left must hold. */
    private int length(String what) throws IOException {
        long length = readLong();
        if (length < 0 || length > end - pos) {
            throw new AvroRuntimeException(what + " length " + length + " is more than the " + (end - pos)
                    + " bytes left in the record");
        }
        return (int) length;
    }

    private void checkUtf8(int length) {
        for (int i = pos; i < pos + length; i++) {
            if (data[i] < 0) {
                decodeUtf8(length); // not ASCII: decoded strictly, for the check
                return;
            }
        }
    }

    /**
     * The string at {@code pos}, decoded strictly: ASCII (most ids and prompts) is copied as is, anything else goes
     * through a decoder that reports malformed input instead of replacing it.
     */
    private String decodeUtf8(int length) {
        int end = pos + length;
        boolean ascii = true;
        for (int i = pos; i < end && ascii; i++) {
            ascii = data[i] >= 0;
        }
        if (ascii) {
            return new String(data, pos, length, StandardCharsets.ISO_8859_1);
        }
        try {
            if (utf8 == null) {
                utf8 = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT);
            }
            return utf8.decode(ByteBuffer.wrap(data, pos, length)).toString();
        } catch (CharacterCodingException e) {
            throw new AvroRuntimeException("string at byte " + pos + " is not valid UTF-8");
        }
    }

    /** The next block's item count, held to the bytes left and the collection limit over the whole record. */
    private long blockCount(String what) throws IOException {
        long count = readLong();
        if (count < 0) {
            if (count == Long.MIN_VALUE) {
                throw new AvroRuntimeException(what + " block count " + count + " is invalid");
            }
            count = -count;
            long size = readLong();
            need(size);
        }
        items += count;
        if (count > end - pos || items > limits.maxCollectionItems()) {
            throw new AvroRuntimeException(what + " declares " + count + " items; the record has " + (end - pos)
                    + " bytes left and may hold at most " + limits.maxCollectionItems() + " items in all");
        }
        return count;
    }

    /** Skips blocks that carry their byte size; returns the count of the first block that does not. */
    private long skipBlocks(String what) throws IOException {
        while (true) {
            long count = readLong();
            if (count >= 0) {
                items += count;
                if (count > end - pos || items > limits.maxCollectionItems()) {
                    throw new AvroRuntimeException(what + " declares " + count + " items; the record has "
                            + (end - pos) + " bytes left");
                }
                return count;
            }
            long size = readLong();
            need(size);
            pos += (int) size;
        }
    }
}
