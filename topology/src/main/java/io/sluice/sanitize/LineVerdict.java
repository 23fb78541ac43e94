package io.sluice.sanitize;

import java.util.List;

/**
 * What the sanitizer did with one corpus line, for {@code --verbose}: never the text or the values found, only the
 * label, the action, each part's score, the rules that fired and the types redacted.
 *
 * @param model    the model's probability (NaN when it took no part)
 * @param combined the combined probability (NaN when the model took no part)
 */
public record LineVerdict(String file, int line, String label, String action, double score, double model,
                          double combined, List<String> rules, List<PiiType> redacted, List<String> missedSpanTypes) {
    public LineVerdict {
        rules = List.copyOf(rules);
        redacted = List.copyOf(redacted);
        missedSpanTypes = List.copyOf(missedSpanTypes);
    }

    /** One line of text: {@code file:line label=benign action=PASS score=0.3 model=0.02 combined=0.1 rules=[..] ...}. */
    public String describe() {
        StringBuilder out = new StringBuilder(file).append(':').append(line);
        if (label != null) {
            out.append(" label=").append(label);
        }
        out.append(" action=").append(action).append(" score=").append(score);
        if (!Double.isNaN(model)) {
            out.append(String.format(" model=%.3f combined=%.3f", model, combined));
        }
        out.append(" rules=").append(rules).append(" redacted=").append(redacted);
        if (!missedSpanTypes.isEmpty()) {
            out.append(" missed=").append(missedSpanTypes);
        }
        return out.toString();
    }
}
