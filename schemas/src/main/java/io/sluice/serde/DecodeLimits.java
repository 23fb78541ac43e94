package io.sluice.serde;

import java.util.HashSet;
import java.util.Set;
import org.apache.avro.Schema;

/**
 * What one record may ask of a deserializer before any of it is believed: its size in bytes, the items in all its
 * arrays and maps together, and how deeply its writer's schema nests (a recursive writer schema is refused, since a
 * record could then nest until the stack overflows). Strings and bytes are held to the bytes left in the record.
 */
public record DecodeLimits(int maxRecordBytes, long maxCollectionItems, int maxSchemaDepth) {
    /** For Sluice's own topics and stores: Kafka's largest default record, generous counts. */
    public static final DecodeLimits DEFAULT = new DecodeLimits(8 * 1024 * 1024, 1_000_000, 32);

    public DecodeLimits {
        if (maxRecordBytes < 1 || maxCollectionItems < 0 || maxSchemaDepth < 1) {
            throw new IllegalArgumentException("decode limits must be positive: " + maxRecordBytes + ", "
                    + maxCollectionItems + ", " + maxSchemaDepth);
        }
    }

    /** How deeply {@code schema} nests records, arrays, maps and unions; {@link Integer#MAX_VALUE} when recursive. */
    public static int depth(Schema schema) {
        return depth(schema, new HashSet<>());
    }

    private static int depth(Schema schema, Set<String> path) {
        return switch (schema.getType()) {
            case RECORD -> {
                if (!path.add(schema.getFullName())) {
                    yield Integer.MAX_VALUE;
                }
                int deepest = 0;
                for (Schema.Field field : schema.getFields()) {
                    deepest = Math.max(deepest, depth(field.schema(), path));
                }
                path.remove(schema.getFullName());
                yield plusOne(deepest);
            }
            case ARRAY -> plusOne(depth(schema.getElementType(), path));
            case MAP -> plusOne(depth(schema.getValueType(), path));
            case UNION -> {
                int deepest = 0;
                for (Schema branch : schema.getTypes()) {
                    deepest = Math.max(deepest, depth(branch, path));
                }
                yield plusOne(deepest);
            }
            default -> 0;
        };
    }

    private static int plusOne(int depth) {
        return depth == Integer.MAX_VALUE ? depth : depth + 1;
    }
}
