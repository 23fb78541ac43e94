package io.sluice.sanitize;

import java.util.Map;

/**
 * What {@link Sanitizer#checkAnswer} found in a model's answer: the answer with every finding replaced by its
 * placeholder, the types found with counts (ordered by name), and whether it reads as a prompt injection (when that was asked).
 */
public record AnswerCheck(String redacted, Map<String, Integer> found, boolean injection) {
    public AnswerCheck {
        found = java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(found)); // by type name, for reports
    }
}
