package io.sluice.sanitize;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** One parsed corpus line: its text, and a label or spans (offsets converted to UTF-16 indexes). */
record CorpusLine(String text, String label, List<Span> spans) {
    record Span(String type, int start, int end) {}

    /** Corpus names for types the redactor calls something else. */
    private static final Map<String, PiiType> ALIASES = Map.of(
            "EMAIL", PiiType.EMAIL_ADDRESS, "PHONE", PiiType.PHONE_NUMBER, "IBAN", PiiType.IBAN_CODE,
            "SSN", PiiType.US_SSN, "IP", PiiType.IP_ADDRESS, "CREDIT_CARD_NUMBER", PiiType.CREDIT_CARD);

    /** The redactor type a corpus span type maps to; empty for types rules cannot detect (PERSON, STREET_ADDRESS...). */
    static Optional<PiiType> redactorType(String corpusType) {
        if (ALIASES.containsKey(corpusType)) {
            return Optional.of(ALIASES.get(corpusType));
        }
        try {
            return Optional.of(PiiType.valueOf(corpusType));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    static CorpusLine of(JsonNode node) {
        if (!node.isObject()) {
            throw new IllegalArgumentException("expected a JSON object with a \"text\" field");
        }
        JsonNode text = node.get("text");
        if (text == null || !text.isTextual()) {
            throw new IllegalArgumentException("missing the string field \"text\"");
        }
        String label = null;
        JsonNode labelNode = node.get("label");
        if (labelNode != null && !labelNode.isNull()) {
            label = labelNode.asText();
            if (!label.equals("injection") && !label.equals("benign")) {
                throw new IllegalArgumentException("\"label\" must be \"injection\" or \"benign\", but was \"" + label + "\"");
            }
        }
        JsonNode spansNode = node.get("spans");
        List<Span> spans = null;
        if (spansNode != null && !spansNode.isNull()) {
            if (!spansNode.isArray()) {
                throw new IllegalArgumentException("\"spans\" must be an array");
            }
            spans = new ArrayList<>();
            String s = text.asText();
            int codePoints = s.codePointCount(0, s.length());
            for (JsonNode span : spansNode) {
                JsonNode type = span.get("type");
                JsonNode start = span.get("start");
                JsonNode end = span.get("end");
                if (type == null || !type.isTextual() || start == null || !start.canConvertToInt()
                        || end == null || !end.canConvertToInt()) {
                    throw new IllegalArgumentException("every span needs a string \"type\" and integer \"start\" and \"end\"");
                }
                if (start.asInt() < 0 || end.asInt() <= start.asInt() || end.asInt() > codePoints) {
                    throw new IllegalArgumentException("span [" + start.asInt() + ", " + end.asInt()
                            + ") is outside the text's " + codePoints + " characters");
                }
                spans.add(new Span(type.asText(), s.offsetByCodePoints(0, start.asInt()),
                        s.offsetByCodePoints(0, end.asInt())));
            }
        }
        return new CorpusLine(text.asText(), label, spans == null ? null : List.copyOf(spans));
    }
}
