package io.sluice.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;

/** Field checks shared by both dialects; each failure becomes a 400 naming the field, as providers do. */
final class RequestReader {
    private RequestReader() {
    }

    static JsonNode object(Buffer body, String unparsableMessage) {
        JsonNode root;
        try {
            root = body == null || body.length() == 0 ? null : Json.MAPPER.readTree(body.getBytes());
        } catch (IOException e) {
            throw RejectedRequest.invalid(unparsableMessage, null);
        }
        if (root == null || !root.isObject()) {
            throw RejectedRequest.invalid(unparsableMessage, null);
        }
        return root;
    }

    static String requiredText(JsonNode root, String field, String missingMessage) {
        JsonNode value = root.get(field);
        if (value == null || value.isNull()) {
            throw RejectedRequest.invalid(missingMessage, field);
        }
        if (!value.isTextual() || value.asText().isBlank()) {
            throw RejectedRequest.invalid("Invalid value for '" + field + "': expected a non-empty string.", field);
        }
        return value.asText();
    }

    /** The non-empty array under {@code field}. */
    static JsonNode requiredArray(JsonNode root, String field, String missingMessage) {
        JsonNode value = root.get(field);
        if (value == null || value.isNull()) {
            throw RejectedRequest.invalid(missingMessage, field);
        }
        if (!value.isArray() || value.isEmpty()) {
            throw RejectedRequest.invalid("Invalid value for '" + field + "': expected a non-empty array.", field);
        }
        return value;
    }

    /** A positive integer, or 0 when the field is absent or null. */
    static int optionalPositiveInt(JsonNode root, String field) {
        JsonNode value = root.get(field);
        if (value == null || value.isNull()) {
            return 0;
        }
        if (!value.canConvertToInt() || !value.isIntegralNumber() || value.asInt() < 1) {
            throw RejectedRequest.invalid("Invalid value for '" + field + "': expected an integer of at least 1.",
                    field);
        }
        return value.asInt();
    }

    static void optionalNumber(JsonNode root, String field, double min, double max) {
        JsonNode value = root.get(field);
        if (value == null || value.isNull()) {
            return;
        }
        if (!value.isNumber() || value.asDouble() < min || value.asDouble() > max) {
            throw RejectedRequest.invalid("Invalid value for '" + field + "': expected a number between "
                    + min + " and " + max + ".", field);
        }
    }

    /** Absent, a string, or an array of strings: the shape both providers accept for content and stop lists. */
    static void optionalTextOrTextArray(JsonNode root, String field) {
        JsonNode value = root.get(field);
        if (value == null || value.isNull() || value.isTextual()) {
            return;
        }
        if (value.isArray()) {
            for (JsonNode item : value) {
                if (!item.isTextual()) {
                    throw RejectedRequest.invalid("Invalid value for '" + field + "': expected strings.", field);
                }
            }
            return;
        }
        throw RejectedRequest.invalid("Invalid type for '" + field + "': expected a string or an array.", field);
    }

    static void refuseStreaming(JsonNode root) {
        if (root.path("stream").asBoolean(false)) {
            throw RejectedRequest.invalid("streaming is not supported by the simulator", "stream");
        }
    }
}
