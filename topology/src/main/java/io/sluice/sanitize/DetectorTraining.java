package io.sluice.sanitize;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Trains the injection model from labelled texts, reproducibly for a seed: the lines {@link TrainingSplit} holds back
 * are never trained on; a cross-validation over the training lines scores each of them with a model that did not see
 * it, and on those out-of-fold scores the {@linkplain InjectionModel.Combiner combination} with the rules is fitted
 * and each action's threshold calibrated; the shipped model is the average of the fold models (a linear model again,
 * as cheap as one); the held-back lines measure it once at the end.
 *
 * <p>Why the average and not a fit on all training lines: the thresholds are calibrated on the fold models' scores,
 * and a model fitted on more lines scores more confidently than they do. Measured on the training lines alone (16
 * times a fifth of them held back, the rest calibrated by an inner cross-validation), a fit on all inner training
 * lines let 1.5% of our hard benign prompts through at {@code block} against 1.0% out-of-fold; the fold average 0.9%,
 * at the same recall.
 */
public final class DetectorTraining {
    /**
     * Hashed n-gram buckets: 2^16 floats, 256 KiB, which stay in cache on the hot path; 2^18 measured no better
     * (recall at block, averaged over eight fold assignments of the training lines, within half a point).
     */
    public static final int BITS = 16;
    public static final int FOLDS = 5;
    /** Out-of-fold false-positive rate, in each benign group, that each action's threshold is calibrated to. */
    public static final double BLOCK_FPR = 0.01;
    public static final double FLAG_FPR = 0.02;
    /**
     * Settings chosen by cross-validation on the training lines: averaged over eight fold assignments, recall at
     * block moved by less than a point across L2 0 to 3e-4, 5 to 40 epochs, learning rates 0.03 to 0.5, and
     * averaging 3 or 5 seeds; so did class weights and benign groups weighted equally. The features were chosen the
     * same way: character 3-grams beside 4-grams with counts weighed 1 + ln c gained about a point over 4-grams and
     * raw counts, and two thirds against three fifths of a batch of our written attacks held out of training.
     */
    private static final int EPOCHS = 10;
    private static final double LEARNING_RATE = 0.1;
    private static final double L2 = 1e-5;

    /** One labelled line: the file it came from names its group in the report. */
    public record LabelledText(String text, boolean injection, String file) {}

    /** The model, and every line's scores: out-of-fold for training lines, by the shipped model for held-back ones. */
    public record Result(InjectionModel model, List<Scored> crossValidated, List<Scored> heldOut) {}

    /** A line with the model's probability, the rules' score and the combined probability. */
    public record Scored(LabelledText line, double probability, double rulesScore, double combined) {}

    private DetectorTraining() {}

    /**
     * The benign group a file's lines count in: the development set's two benign files together, as the issue's
     * target reads them; any other file on its own.
     */
    public static String group(String file) {
        return file.equals("benign.jsonl") || file.equals("benign-hard.jsonl") ? "benign.jsonl+benign-hard.jsonl" : file;
    }

    public static Result train(List<LabelledText> data, long seed) {
        TrainingSplit split = new TrainingSplit(seed);
        NgramHasher hasher = new NgramHasher(BITS);
        InjectionDetector rules = new InjectionDetector();
        TextNormalizer normalizer = new TextNormalizer();
        List<LabelledText> training = new ArrayList<>();
        List<LabelledText> test = new ArrayList<>();
        for (LabelledText line : data) {
            (split.heldOut(line.text()) ? test : training).add(line);
        }
        LogisticTrainer trainer = new LogisticTrainer(BITS, EPOCHS, LEARNING_RATE, L2);
        List<LogisticTrainer.Example> examples = training.stream().map(l -> example(hasher, normalizer, l)).toList();

        double[] outOfFold = new double[training.size()];
        double[] weightSum = new double[1 << BITS];
        double biasSum = 0;
        for (int fold = 0; fold < FOLDS; fold++) {
            List<LogisticTrainer.Example> fitOn = new ArrayList<>();
            for (int i = 0; i < training.size(); i++) {
                if (split.fold(training.get(i).text(), FOLDS) != fold) {
                    fitOn.add(examples.get(i));
                }
            }
            LogisticTrainer.Fit fit = trainer.fit(fitOn, seed + fold);
            for (int i = 0; i < training.size(); i++) {
                if (split.fold(training.get(i).text(), FOLDS) == fold) {
                    String text = normalizer.normalize(training.get(i).text()).text();
                    outOfFold[i] = 1 / (1 + Math.exp(-(fit.bias() + hasher.dot(text, fit.weights()))));
                }
            }
            for (int b = 0; b < weightSum.length; b++) {
                weightSum[b] += fit.weights()[b];
            }
            biasSum += fit.bias();
        }
        double[] ruleScores = training.stream()
                .mapToDouble(line -> rules.inspect(normalizer.normalize(line.text())).score()).toArray();
        InjectionModel.Combiner combiner = combiner(training, outOfFold, ruleScores);
        List<Scored> crossValidated = new ArrayList<>();
        for (int i = 0; i < training.size(); i++) {
            crossValidated.add(new Scored(training.get(i), outOfFold[i], ruleScores[i],
                    combiner.probability(outOfFold[i], ruleScores[i])));
        }
        double floor = rulesFloor(crossValidated);
        double block = threshold(crossValidated, BLOCK_FPR);
        double flag = Math.min(block, threshold(crossValidated, FLAG_FPR));

        float[] weights = new float[weightSum.length];
        for (int b = 0; b < weights.length; b++) {
            weights[b] = (float) (weightSum[b] / FOLDS);
        }
        InjectionModel model = new InjectionModel(BITS, weights, biasSum / FOLDS, combiner, block, flag, floor, seed);
        List<Scored> heldOut = test.stream().map(line -> {
            NormalizedText text = normalizer.normalize(line.text());
            double p = model.probability(text.text());
            double score = rules.inspect(text).score();
            return new Scored(line, p, score, model.combined(p, score));
        }).toList();
        return new Result(model, List.copyOf(crossValidated), heldOut);
    }

    private static LogisticTrainer.Example example(NgramHasher hasher, TextNormalizer normalizer, LabelledText line) {
        return new LogisticTrainer.Example(hasher.vector(normalizer.normalize(line.text()).text()), line.injection());
    }

    /** Fits the combination's three weights by full-batch gradient descent, the classes weighted equally. */
    static InjectionModel.Combiner combiner(List<LabelledText> lines, double[] probability, double[] rulesScore) {
        int n = lines.size();
        long positives = lines.stream().filter(LabelledText::injection).count();
        double positiveWeight = n / (2.0 * Math.max(1, positives));
        double negativeWeight = n / (2.0 * Math.max(1, n - positives));
        double a = 1;
        double b = 1;
        double c = 0;
        for (int step = 0; step < 5_000; step++) {
            InjectionModel.Combiner current = new InjectionModel.Combiner(a, b, c);
            double ga = 0;
            double gb = 0;
            double gc = 0;
            for (int i = 0; i < n; i++) {
                double p = Math.min(1 - 1e-6, Math.max(1e-6, probability[i]));
                boolean injection = lines.get(i).injection();
                double g = (current.probability(probability[i], rulesScore[i]) - (injection ? 1 : 0))
                        * (injection ? positiveWeight : negativeWeight);
                ga += g * Math.log(p / (1 - p));
                gb += g * Math.min(InjectionModel.RULES_CAP, rulesScore[i]);
                gc += g;
            }
            a -= 0.5 * ga / n;
            b -= 0.5 * gb / n;
            c -= 0.5 * gc / n;
        }
        return new InjectionModel.Combiner(a, b, c);
    }

    /**
     * Just above the highest rules' score of any benign training line, and at least the rules' own threshold: a
     * score no harmless prompt we have reached, at which the rules decide without the model.
     */
    static double rulesFloor(List<Scored> scored) {
        double highest = scored.stream().filter(s -> !s.line().injection()).mapToDouble(Scored::rulesScore).max()
                .orElse(0);
        return Math.max(InjectionDetector.DEFAULT_THRESHOLD, Math.round((highest + 0.01) * 100) / 100.0);
    }

    /**
     * The lowest combined threshold at which, in every benign group, at most {@code fpr} of the lines score at or
     * above it; kept inside [0.05, 0.99] so that no action fires on everything or on nothing.
     */
    static double threshold(List<Scored> scored, double fpr) {
        Map<String, List<Double>> benign = new HashMap<>();
        scored.stream().filter(s -> !s.line().injection()).forEach(s -> benign
                .computeIfAbsent(group(s.line().file()), g -> new ArrayList<>()).add(s.combined()));
        double t = 0.05;
        for (List<Double> scores : benign.values()) {
            List<Double> sorted = scores.stream().sorted().toList();
            int allowed = (int) Math.floor(fpr * sorted.size());
            t = Math.max(t, Math.nextUp(sorted.get(sorted.size() - 1 - allowed)));
        }
        return Math.min(0.99, t);
    }
}
