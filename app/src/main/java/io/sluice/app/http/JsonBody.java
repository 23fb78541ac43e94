package io.sluice.app.http;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/** Reading the fields of a JSON request body, each failure a {@link BadRequest} naming the field. */
final class JsonBody {
    /** The user of a call whose body names none. */
    static final String DEFAULT_USER = "default";

    private JsonBody() {}

    /** A body Sluice cannot turn into a request: answered 400 with {@code param} named. */
    static final class BadRequest extends RuntimeException {
        final String param;

        BadRequest(String param, String message) {
            super(message, null, false, false);
            this.param = param;
        }
    }

    /** Refuses {@code field} when it is present and {@code when} holds for it. */
    static void refuse(JsonNode body, String field, Predicate<JsonNode> when, String message) {
        if (body.has(field) && when.test(body.get(field))) {
            throw new BadRequest(field, message);
        }
    }

    /** A non-blank string field; null when absent and not {@code required}. */
    static String text(JsonNode body, String field, boolean required) {
        JsonNode value = body.get(field);
        if (value == null || !value.isTextual() || value.asText().isBlank()) {
            if (!required) {
                return null;
            }
            throw new BadRequest(field, field + " must be a non-empty string");
        }
        return value.asText();
    }

    /** A message's content: a string, or text parts joined by newlines. */
    static String content(JsonNode content, int index) {
        if (content.isTextual()) {
            return content.asText();
        }
        if (content.isArray()) {
            StringBuilder text = new StringBuilder();
            for (JsonNode part : content) {
                if (!"text".equals(part.path("type").asText()) || !part.path("text").isTextual()) {
                    throw new BadRequest("messages[" + index + "].content", "only text content parts are"
                            + " supported, but part type was '" + part.path("type").asText() + "'");
                }
                text.append(text.isEmpty() ? "" : "\n").append(part.path("text").asText());
            }
            return text.toString();
        }
        throw new BadRequest("messages[" + index + "].content", "content must be a string or an array of text"
                + " parts");
    }

    /** A positive integer field, or null. */
    static Integer integer(JsonNode body, String field) {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.canConvertToInt() || !value.isIntegralNumber() || value.asInt() < 1) {
            throw new BadRequest(field, field + " must be a positive integer");
        }
        return value.asInt();
    }

    /** A number field, or null. */
    static Double number(JsonNode body, String field) {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isNumber()) {
            throw new BadRequest(field, field + " must be a number");
        }
        return value.asDouble();
    }

    /** Stop sequences: one string or an array of them. */
    static List<String> stop(JsonNode stop) {
        if (stop.isMissingNode() || stop.isNull()) {
            return List.of();
        }
        if (stop.isTextual()) {
            return List.of(stop.asText());
        }
        if (stop.isArray()) {
            List<String> all = new ArrayList<>();
            stop.forEach(s -> all.add(s.asText()));
            return all;
        }
        throw new BadRequest("stop", "stop must be a string or an array of strings");
    }
}
