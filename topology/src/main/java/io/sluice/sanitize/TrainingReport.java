package io.sluice.sanitize;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * The training report of the injection model, as Markdown: the split, the calibrated thresholds, and for the
 * cross-validation (out-of-fold) and the held-back lines, recall (per file of injection lines), precision and
 * false-positive rate (per benign group) of the combined verdict at each action's threshold and of the rules and the
 * model each alone.
 */
public final class TrainingReport {
    private TrainingReport() {}

    public static String markdown(DetectorTraining.Result result, List<String> sources, String command) {
        InjectionModel model = result.model();
        List<String> out = new ArrayList<>();
        out.add("# Injection model: training report");
        out.add("");
        out.add("Written by `" + command + "`; do not edit by hand. The model file is `topology/src/main/resources"
                + InjectionModel.RESOURCE + "`.");
        out.add("");
        out.add("- Data: " + String.join(", ", sources) + ".");
        out.add(String.format("- Split: seed %d; one line in %d (by a seeded hash of its text) held back: %d lines "
                        + "trained on, %d held back. %d-fold cross-validation over the training lines.", model.seed(),
                TrainingSplit.TEST_IN, result.crossValidated().size(), result.heldOut().size(), DetectorTraining.FOLDS));
        out.add(String.format("- Model: logistic regression (L-BFGS, L2) and naive Bayes, mixed %.0f%% to %.0f%% (each "
                + "scaled to unit spread), over hashed word 1-2-grams and character 3- and 4-grams, each bucket's count "
                + "c weighed (1 + ln c) times its inverse document frequency over the training lines and the vector "
                + "scaled to unit length, 2^%d buckets. Combined verdict: σ(%.3f·logit(p_model) + %.3f·min(rules score, %.0f) %s %.3f).",
                100 * (1 - result.bayesShare()), 100 * result.bayesShare(), model.bits(), model.combiner().modelWeight(), model.combiner().rulesWeight(), InjectionModel.RULES_CAP,
                model.combiner().bias() < 0 ? "−" : "+", Math.abs(model.combiner().bias())));
        out.add(String.format("- Each fold's regression stopped after at most %d iterations, no gradient component "
                + "above %.1e (converged at 1e-5). Naive Bayes' share was chosen to catch the most attacks out of fold "
                + "at ≤ %.0f%% false positives in every benign group, on the model's own scores.", result.iterations(),
                result.gradient(), 100 * DetectorTraining.BLOCK_FPR));
        out.add(String.format("- Calibrated on the out-of-fold scores: `block` at combined ≥ %.4f (out-of-fold "
                + "false-positive rate ≤ %.1f%% in every benign group), `flag` at ≥ %.4f (≤ %.1f%%). The rules alone "
                + "fire at score ≥ %.1f, and decide alone, whatever the model, at ≥ %.2f (just above every benign "
                + "training line's score); the model alone fires at p ≥ %.1f.", model.blockThreshold(),
                100 * DetectorTraining.BLOCK_FPR, model.flagThreshold(), 100 * DetectorTraining.FLAG_FPR,
                InjectionDetector.DEFAULT_THRESHOLD, model.rulesFloor(), InjectionModel.MODEL_PART_THRESHOLD));
        out.add("");
        section(out, "Cross-validation (each training line scored by a model that did not see it)",
                result.crossValidated(), model);
        section(out, "Held-back lines (scored once by the shipped model)", result.heldOut(), model);
        List<DetectorTraining.Scored> all = new ArrayList<>(result.crossValidated());
        all.addAll(result.heldOut());
        section(out, "Both together (every line scored by a model that did not train on it)", all, model);
        return String.join("\n", out) + "\n";
    }

    private static void section(List<String> out, String title, List<DetectorTraining.Scored> scored,
                                InjectionModel model) {
        out.add("## " + title);
        out.add("");
        List<String> injectionFiles = injectionFiles(scored);
        out.add("| Verdict | " + String.join(" | ", injectionFiles.stream().map(f -> "Recall " + f).toList())
                + " | Precision | " + String.join(" | ", groups(scored).keySet().stream().map(g -> "FPR " + g).toList())
                + " |");
        out.add("|---|" + "---|".repeat(injectionFiles.size() + 1 + groups(scored).size()));
        row(out, "combined, `block`", scored, s -> s.combined() >= model.blockThreshold()
                || s.rulesScore() >= model.rulesFloor());
        row(out, "combined, `flag`", scored, s -> s.combined() >= model.flagThreshold()
                || s.rulesScore() >= model.rulesFloor());
        row(out, "rules alone", scored, s -> s.rulesScore() >= InjectionDetector.DEFAULT_THRESHOLD);
        row(out, "model alone", scored, s -> s.probability() >= InjectionModel.MODEL_PART_THRESHOLD);
        out.add("");
    }

    /** The files injection lines came from, each with a recall column of its own. */
    private static List<String> injectionFiles(List<DetectorTraining.Scored> scored) {
        return scored.stream().filter(s -> s.line().injection()).map(s -> s.line().file()).distinct().sorted().toList();
    }

    private static Map<String, int[]> groups(List<DetectorTraining.Scored> scored) {
        Map<String, int[]> groups = new TreeMap<>();
        scored.stream().filter(s -> !s.line().injection())
                .forEach(s -> groups.computeIfAbsent(DetectorTraining.group(s.line().file()), g -> new int[2]));
        return groups;
    }

    private static void row(List<String> out, String name, List<DetectorTraining.Scored> scored,
                            Predicate<DetectorTraining.Scored> flagged) {
        Map<String, int[]> recall = new TreeMap<>(); // per injection file: lines, caught
        injectionFiles(scored).forEach(f -> recall.put(f, new int[2]));
        int caught = 0;
        int falseAlarms = 0;
        Map<String, int[]> groups = groups(scored);
        for (DetectorTraining.Scored s : scored) {
            boolean f = flagged.test(s);
            int[] g = s.line().injection() ? recall.get(s.line().file())
                    : groups.get(DetectorTraining.group(s.line().file()));
            g[0]++;
            g[1] += f ? 1 : 0;
            if (s.line().injection()) {
                caught += f ? 1 : 0;
            } else {
                falseAlarms += f ? 1 : 0;
            }
        }
        StringBuilder row = new StringBuilder("| ").append(name).append(" |");
        recall.values().forEach(r -> row.append(' ').append(percent(r[1], r[0])).append(" |"));
        row.append(' ').append(percent(caught, caught + falseAlarms)).append(" |");
        groups.values().forEach(g -> row.append(' ').append(percent(g[1], g[0])).append(" |"));
        out.add(row.toString());
    }

    private static String percent(int hits, int total) {
        return total == 0 ? "–" : String.format("%.1f%% (%d/%d)", 100.0 * hits / total, hits, total);
    }
}
