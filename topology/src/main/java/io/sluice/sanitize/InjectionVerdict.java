package io.sluice.sanitize;

import java.util.List;

/**
 * What the injection checks concluded, each part and together: the rules' summed weights against their threshold,
 * the trained model's probability, and the combined probability against the policy's threshold. Without the model
 * ({@code injection.model=off}) the model's figures are NaN and the rules alone decide.
 */
public record InjectionVerdict(double score, double threshold, List<String> rules, double modelProbability,
                               double combined, double combinedThreshold, double rulesFloor) {
    public InjectionVerdict {
        rules = List.copyOf(rules);
    }

    /** The rules' verdict alone. */
    public InjectionVerdict(double score, double threshold, List<String> rules) {
        this(score, threshold, rules, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
    }

    /**
     * The verdict the policy acts on: when the model took part, the combined probability at its threshold, or the
     * rules alone at the model's {@linkplain InjectionModel#rulesFloor floor}; else the rules'.
     */
    public boolean flagged() {
        return Double.isNaN(combined) ? rulesFlagged() : combined >= combinedThreshold || score >= rulesFloor;
    }

    /** The rules alone would call it an injection. */
    public boolean rulesFlagged() {
        return score >= threshold;
    }

    /** The model alone would call it an injection (false when it did not take part). */
    public boolean modelFlagged() {
        return modelProbability >= InjectionModel.MODEL_PART_THRESHOLD;
    }

    /**
     * Why this verdict flagged, for a rejection's detail: never the text. {@code score} and {@code rules} are the
     * request's (the highest score and every rule, over its messages).
     */
    String describe(double score, java.util.Collection<String> rules) {
        String named = rules.isEmpty() ? "none" : String.join(", ", rules);
        if (Double.isNaN(combined)) {
            return String.format(java.util.Locale.ROOT, "the rules' score %.2f at or above %.2f (rules: %s)", score,
                    threshold, named);
        }
        if (combined >= combinedThreshold) {
            return String.format(java.util.Locale.ROOT, "combined %.2f at or above %.2f (model %.2f; the rules' score"
                    + " %.2f; rules: %s)", combined, combinedThreshold, modelProbability, score, named);
        }
        return String.format(java.util.Locale.ROOT, "the rules' score %.2f at or above %.2f, where the rules decide"
                + " alone (model %.2f, combined %.2f; rules: %s)", score, rulesFloor, modelProbability, combined, named);
    }

    /** Adds the model's view to a rules verdict. */
    InjectionVerdict withModel(double probability, double combinedProbability, double combinedAt, double floor) {
        return new InjectionVerdict(score, threshold, rules, probability, combinedProbability, combinedAt, floor);
    }
}
