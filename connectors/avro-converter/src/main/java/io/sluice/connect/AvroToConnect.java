package io.sluice.connect;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.LogicalType;
import org.apache.avro.LogicalTypes;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.data.Timestamp;
import org.apache.kafka.connect.errors.DataException;

/**
 * Avro schemas and values as Connect schemas and values: records become Structs, a union with null an optional
 * field, an enum a string, {@code timestamp-millis} Connect's {@link Timestamp}. With {@code collectionsAsJson}, arrays
 * and maps become JSON text, for sinks whose tables have no such columns (SQL databases).
 */
final class AvroToConnect {
    private final boolean collectionsAsJson;

    AvroToConnect(boolean collectionsAsJson) {
        this.collectionsAsJson = collectionsAsJson;
    }

    Schema schema(org.apache.avro.Schema avro) {
        return builder(avro).build();
    }

    private SchemaBuilder builder(org.apache.avro.Schema avro) {
        LogicalType logical = avro.getLogicalType();
        return switch (avro.getType()) {
            case RECORD -> {
                SchemaBuilder struct = SchemaBuilder.struct().name(avro.getFullName());
                if (avro.getDoc() != null) {
                    struct.doc(avro.getDoc());
                }
                avro.getFields().forEach(field -> struct.field(field.name(), builder(field.schema()).build()));
                yield struct;
            }
            case UNION -> {
                List<org.apache.avro.Schema> branches = avro.getTypes().stream()
                        .filter(t -> t.getType() != org.apache.avro.Schema.Type.NULL).toList();
                if (branches.size() != 1) {
                    throw new DataException("only unions of null and one type have a Connect schema, not " + avro);
                }
                SchemaBuilder optional = builder(branches.getFirst());
                yield branches.size() < avro.getTypes().size() ? optional.optional() : optional;
            }
            case STRING, ENUM -> SchemaBuilder.string();
            case BYTES, FIXED -> SchemaBuilder.bytes();
            case INT -> SchemaBuilder.int32();
            case LONG -> logical instanceof LogicalTypes.TimestampMillis ? Timestamp.builder() : SchemaBuilder.int64();
            case FLOAT -> SchemaBuilder.float32();
            case DOUBLE -> SchemaBuilder.float64();
            case BOOLEAN -> SchemaBuilder.bool();
            case ARRAY -> collectionsAsJson ? SchemaBuilder.string() : SchemaBuilder.array(schema(avro.getElementType()));
            case MAP -> collectionsAsJson ? SchemaBuilder.string()
                    : SchemaBuilder.map(Schema.STRING_SCHEMA, schema(avro.getValueType()));
            case NULL -> throw new DataException("a field of type null has no Connect schema");
        };
    }

    /** {@code avro} (as Avro's generic reader returns it, of schema {@code type}) as a value of {@code schema}. */
    Object value(Schema schema, org.apache.avro.Schema type, Object avro) {
        if (avro == null) {
            return null;
        }
        if (type.getType() == org.apache.avro.Schema.Type.UNION) {
            return value(schema, type.getTypes().get(GenericData.get().resolveUnion(type, avro)), avro);
        }
        return switch (type.getType()) {
            case RECORD -> {
                GenericRecord record = (GenericRecord) avro;
                Struct struct = new Struct(schema);
                for (org.apache.avro.Schema.Field field : type.getFields()) {
                    struct.put(field.name(), value(schema.field(field.name()).schema(), field.schema(),
                            record.get(field.pos())));
                }
                yield struct;
            }
            case STRING, ENUM -> avro.toString();
            case BYTES -> bytes((ByteBuffer) avro);
            case FIXED -> ((GenericData.Fixed) avro).bytes();
            case LONG -> type.getLogicalType() instanceof LogicalTypes.TimestampMillis ? new Date((Long) avro) : avro;
            case ARRAY, MAP -> collectionsAsJson ? json(type, avro).toString() : collection(schema, type, avro);
            default -> avro;
        };
    }

    private Object collection(Schema schema, org.apache.avro.Schema type, Object avro) {
        if (type.getType() == org.apache.avro.Schema.Type.ARRAY) {
            List<Object> values = new ArrayList<>();
            for (Object element : (Collection<?>) avro) {
                values.add(value(schema.valueSchema(), type.getElementType(), element));
            }
            return values;
        }
        Map<String, Object> values = new LinkedHashMap<>();
        ((Map<?, ?>) avro).forEach((k, v) -> values.put(k.toString(), value(schema.valueSchema(), type.getValueType(), v)));
        return values;
    }

    /** A collection as JSON, with records as objects and timestamps as epoch milliseconds. */
    private static com.fasterxml.jackson.databind.JsonNode json(org.apache.avro.Schema type, Object avro) {
        JsonNodeFactory nodes = JsonNodeFactory.instance;
        if (avro == null) {
            return nodes.nullNode();
        }
        return switch (type.getType()) {
            case UNION -> json(type.getTypes().get(GenericData.get().resolveUnion(type, avro)), avro);
            case ARRAY -> {
                ArrayNode array = nodes.arrayNode();
                ((Collection<?>) avro).forEach(element -> array.add(json(type.getElementType(), element)));
                yield array;
            }
            case MAP -> {
                ObjectNode object = nodes.objectNode();
                // sorted, so equal maps give equal text
                new java.util.TreeMap<String, Object>(stringKeys((Map<?, ?>) avro))
                        .forEach((k, v) -> object.set(k, json(type.getValueType(), v)));
                yield object;
            }
            case RECORD -> {
                ObjectNode object = nodes.objectNode();
                GenericRecord record = (GenericRecord) avro;
                type.getFields().forEach(f -> object.set(f.name(), json(f.schema(), record.get(f.pos()))));
                yield object;
            }
            case INT -> nodes.numberNode((Integer) avro);
            case LONG -> nodes.numberNode((Long) avro);
            case FLOAT -> nodes.numberNode((Float) avro);
            case DOUBLE -> nodes.numberNode((Double) avro);
            case BOOLEAN -> nodes.booleanNode((Boolean) avro);
            case BYTES -> nodes.binaryNode(bytes((ByteBuffer) avro));
            default -> nodes.textNode(avro.toString());
        };
    }

    private static Map<String, Object> stringKeys(Map<?, ?> map) {
        Map<String, Object> keyed = new LinkedHashMap<>();
        map.forEach((k, v) -> keyed.put(k.toString(), v));
        return keyed;
    }

    private static byte[] bytes(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        return bytes;
    }
}
