package io.sluice.serde;

import java.nio.ByteBuffer;
import org.apache.kafka.common.errors.SerializationException;

/**
 * The Confluent Schema Registry wire format: one magic byte {@code 0}, the schema id as a 4-byte big-endian int,
 * then the Avro binary encoding of the value. Byte-compatible with Confluent's KafkaAvroSerializer.
 */
public final class ConfluentWireFormat {
    public static final byte MAGIC_BYTE = 0;
    public static final int HEADER_SIZE = 5;

    private ConfluentWireFormat() {}

    /** Writes the 5-byte header into the start of {@code buffer}. */
    public static void writeHeader(ByteBuffer buffer, int schemaId) {
        buffer.put(MAGIC_BYTE).putInt(schemaId);
    }

    /** Reads the schema id from a framed payload, leaving {@code buffer} positioned at the Avro body. */
    public static int readSchemaId(ByteBuffer buffer) {
        if (buffer.remaining() < HEADER_SIZE) {
            throw new SerializationException(
                    "Not Confluent wire format: " + buffer.remaining() + " bytes is shorter than the 5-byte header");
        }
        byte magic = buffer.get();
        if (magic != MAGIC_BYTE) {
            throw new SerializationException(
                    "Not Confluent wire format: unknown magic byte " + magic + " (expected 0)");
        }
        return buffer.getInt();
    }

    /** The TopicNameStrategy subject: {@code <topic>-key} or {@code <topic>-value}. */
    public static String subject(String topic, boolean isKey) {
        return topic + (isKey ? "-key" : "-value");
    }
}
