package io.sluice.sanitize;

import java.util.List;

/**
 * What the injection checks concluded, each part and together: the rules' summed weights against their threshold,
 * the trained model's probability, and the combined probability against the policy's threshold. Without the model
 * ({@code injection.model=off}) the model's figures are NaN and the rules alone decide.
 */
public record InjectionVerdict(double score, double threshold, List<String> rules, double modelProbability,
                               double combined, double combinedThreshold) {
    public InjectionVerdict {
        rules = List.copyOf(rules);
    }

    /** The rules' verdict alone. */
    public InjectionVerdict(double score, double threshold, List<String> rules) {
        this(score, threshold, rules, Double.NaN, Double.NaN, Double.NaN);
    }

    /** The verdict the policy acts on: the combined one when the model took part, else the rules'. */
    public boolean flagged() {
        return Double.isNaN(combined) ? rulesFlagged() : combined >= combinedThreshold;
    }

    /** The rules alone would call it an injection. */
    public boolean rulesFlagged() {
        return score >= threshold;
    }

    /** The model alone would call it an injection (false when it did not take part). */
    public boolean modelFlagged() {
        return modelProbability >= InjectionModel.MODEL_PART_THRESHOLD;
    }

    /** Adds the model's view to a rules verdict. */
    InjectionVerdict withModel(double probability, double combinedProbability, double combinedAt) {
        return new InjectionVerdict(score, threshold, rules, probability, combinedProbability, combinedAt);
    }
}
