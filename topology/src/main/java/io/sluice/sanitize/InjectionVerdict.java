package io.sluice.sanitize;

import java.util.List;

/** What {@link InjectionDetector} concluded: the summed weights of the rules that fired, against the threshold. */
record InjectionVerdict(double score, double threshold, List<String> rules) {
    public InjectionVerdict {
        rules = List.copyOf(rules);
    }

    public boolean flagged() {
        return score >= threshold;
    }
}
