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
 * <p>Each fold fits two linear models on the same features, a logistic regression and naive Bayes (one log-ratio a
 * bucket), whose mistakes differ: naive Bayes weighs every n-gram by how much likelier it is in attacks, the
 * regression only what it needs to separate the training lines. They are mixed, each scaled to unit spread, in the
 * share of naive Bayes (0 to 1 in twentieths) that catches the most attacks out of fold at the {@code block}
 * calibration, over every file of attacks; the mix is calibrated to a probability by a one-input logistic regression.
 * A sum of two weight vectors is one weight vector: the shipped model scores a prompt in one pass, as before.
 *
 * <p>Why the average and not a fit on all training lines: the thresholds are calibrated on the fold models' scores,
 * and a model fitted on more lines scores more confidently than they do. Measured with the earlier regression alone,
 * on the training lines alone (16
 * times a fifth of them held back, the rest calibrated by an inner cross-validation), a fit on all inner training
 * lines let 1.5% of our hard benign prompts through at {@code block} against 1.0% out-of-fold; the fold average 0.9%,
 * at the same recall.
 */
public final class DetectorTraining {
    /**
     * Hashed n-gram buckets: 2^16 weights and as many inverse document frequencies, floats, 512 KiB, which stay in
     * the second-level cache on the hot path; 2^18 measured no better
     * (recall at block, averaged over eight fold assignments of the training lines, within half a point).
     */
    public static final int BITS = 16;
    public static final int FOLDS = 5;
    /** Out-of-fold false-positive rate, in each benign group, that each action's threshold is calibrated to. */
    public static final double BLOCK_FPR = 0.01;
    public static final double FLAG_FPR = 0.02;
    /**
     * Settings chosen by cross-validation on the training lines. The features: character 3-grams beside 4-grams with
     * counts weighed 1 + ln c gained about a point over 4-grams and raw counts, and two thirds against three fifths
     * of a batch of our written attacks held out of training; each bucket weighed by its inverse document frequency
     * and naive Bayes mixed with the regression gained two points at {@code block} on every file of attacks (seeds 1
     * to 5 of the split: 92.1-94.6% on {@code injection.jsonl} against 86.7-91.8%, at the same false-positive rates;
     * docs/stages/sanitize.md). The L2 penalty (1e-3 to 0.1) and naive Bayes' smoothing (0.003 to 0.03) moved
     * recall on {@code injection.jsonl} by less than a point.
     */
    private static final int ITERATIONS = 300;
    private static final double L2 = 0.01;
    private static final double NB_ALPHA = 0.01;
    /** The shares of naive Bayes tried in the mix: 0, 1/20, ..., 1. */
    private static final int MIX_STEPS = 20;

    /** One labelled line: the file it came from names its group in the report. */
    public record LabelledText(String text, boolean injection, String file) {}

    /**
     * The model, and every line's scores: out-of-fold for training lines, by the shipped model for held-back ones;
     * {@code bayesShare} is naive Bayes' share in the model's mix (0: the regression alone); the fold regressions took
     * at most {@code iterations} and left no gradient component above {@code gradient}.
     */
    public record Result(InjectionModel model, double bayesShare, int iterations, double gradient,
                         List<Scored> crossValidated, List<Scored> heldOut) {}

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
        InjectionDetector rules = new InjectionDetector();
        TextNormalizer normalizer = new TextNormalizer();
        List<LabelledText> training = new ArrayList<>();
        List<LabelledText> test = new ArrayList<>();
        for (LabelledText line : data) {
            (split.heldOut(line.text()) ? test : training).add(line);
        }
        // document frequencies over every training line, labels unused (so over the fold being scored too: a line's
        // own n-grams are never quite unseen out of fold); the held-back lines count in nothing
        float[] idf = new NgramHasher(BITS).inverseDocumentFrequency(
                training.stream().map(line -> normalizer.normalize(line.text()).text()).toList());
        NgramHasher hasher = new NgramHasher(BITS, idf);
        LogisticTrainer trainer = new LogisticTrainer(BITS, ITERATIONS, L2);
        List<LogisticTrainer.Example> examples = training.stream().map(l -> example(hasher, normalizer, l)).toList();

        // each fold fits two models on the same features: logistic regression, and naive Bayes' per-bucket log-ratio
        double[] regressionScore = new double[training.size()];
        double[] bayesScore = new double[training.size()];
        double[] regressionSum = new double[1 << BITS];
        double[] bayesSum = new double[1 << BITS];
        double biasSum = 0;
        int iterations = 0;
        double gradient = 0;
        for (int fold = 0; fold < FOLDS; fold++) {
            List<LogisticTrainer.Example> fitOn = new ArrayList<>();
            for (int i = 0; i < training.size(); i++) {
                if (split.fold(training.get(i).text(), FOLDS) != fold) {
                    fitOn.add(examples.get(i));
                }
            }
            LogisticTrainer.Fit fit = trainer.fit(fitOn);
            iterations = Math.max(iterations, fit.iterations());
            gradient = Math.max(gradient, fit.gradient());
            float[] bayes = naiveBayes(fitOn, 1 << BITS, NB_ALPHA);
            for (int i = 0; i < training.size(); i++) {
                if (split.fold(training.get(i).text(), FOLDS) == fold) {
                    String text = normalizer.normalize(training.get(i).text()).text();
                    regressionScore[i] = fit.bias() + hasher.dot(text, fit.weights());
                    bayesScore[i] = hasher.dot(text, bayes);
                }
            }
            for (int b = 0; b < regressionSum.length; b++) {
                regressionSum[b] += fit.weights()[b];
                bayesSum[b] += bayes[b];
            }
            biasSum += fit.bias();
        }
        // the two mixed, each scaled to unit spread, in the proportion that catches the most attacks out of fold at
        // at most BLOCK_FPR false positives in every benign group (the model's own scores, before the rules are
        // combined); the mix then calibrated to a probability: still one linear model
        double regressionSpread = spread(regressionScore);
        double bayesSpread = spread(bayesScore);
        double bestShare = 0;
        int bestCaught = -1;
        for (int step = 0; step <= MIX_STEPS; step++) {
            double share = (double) step / MIX_STEPS;
            double[] mixed = mix(regressionScore, regressionSpread, bayesScore, bayesSpread, share);
            int caught = caught(training, mixed, BLOCK_FPR);
            if (caught > bestCaught) {
                bestCaught = caught;
                bestShare = share;
            }
        }
        double[] mixed = mix(regressionScore, regressionSpread, bayesScore, bayesSpread, bestShare);
        double[] calibration = logistic(new double[][] {mixed}, training.stream().map(LabelledText::injection).toList());
        double regressionWeight = calibration[0] * (1 - bestShare) / regressionSpread;
        double bayesWeight = calibration[0] * bestShare / bayesSpread;
        double[] outOfFold = new double[training.size()];
        for (int i = 0; i < training.size(); i++) {
            outOfFold[i] = 1 / (1 + Math.exp(-(calibration[0] * mixed[i] + calibration[1])));
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

        float[] weights = new float[regressionSum.length];
        for (int b = 0; b < weights.length; b++) {
            weights[b] = (float) ((regressionWeight * regressionSum[b] + bayesWeight * bayesSum[b]) / FOLDS);
        }
        InjectionModel model = new InjectionModel(BITS, weights, idf, regressionWeight * biasSum / FOLDS + calibration[1], combiner, block, flag, floor, seed);
        List<Scored> heldOut = test.stream().map(line -> {
            NormalizedText text = normalizer.normalize(line.text());
            double p = model.probability(text.text());
            double score = rules.inspect(text).score();
            return new Scored(line, p, score, model.combined(p, score));
        }).toList();
        return new Result(model, bestShare, iterations, gradient, List.copyOf(crossValidated), heldOut);
    }

    private static double spread(double[] scores) {
        double mean = java.util.Arrays.stream(scores).average().orElse(0);
        double variance = java.util.Arrays.stream(scores).map(x -> (x - mean) * (x - mean)).average().orElse(0);
        return variance > 0 ? Math.sqrt(variance) : 1;
    }

    private static double[] mix(double[] a, double aSpread, double[] b, double bSpread, double share) {
        double[] out = new double[a.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = (1 - share) * a[i] / aSpread + share * b[i] / bSpread;
        }
        return out;
    }

    /** How many attacks score at or above {@link #lowestPassing}. */
    private static int caught(List<LabelledText> lines, double[] scores, double fpr) {
        double t = lowestPassing(lines, scores, fpr);
        int caught = 0;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).injection() && scores[i] >= t) {
                caught++;
            }
        }
        return caught;
    }

    /** The lowest score at which, in every benign group, at most {@code fpr} of the lines score at or above it. */
    private static double lowestPassing(List<LabelledText> lines, double[] scores, double fpr) {
        Map<String, List<Double>> benign = new HashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            if (!lines.get(i).injection()) {
                benign.computeIfAbsent(group(lines.get(i).file()), g -> new ArrayList<>()).add(scores[i]);
            }
        }
        double t = Double.NEGATIVE_INFINITY;
        for (List<Double> group : benign.values()) {
            List<Double> sorted = group.stream().sorted().toList();
            t = Math.max(t, Math.nextUp(sorted.get(sorted.size() - 1 - (int) Math.floor(fpr * sorted.size()))));
        }
        return t;
    }

    /**
     * Multinomial naive Bayes as one weight a bucket: the log of how much likelier the bucket's feature weight is among
     * injections than among benign lines, each class's weights summed and {@code alpha}-smoothed (no class prior: the
     * classes count equally, as in the regression).
     */
    static float[] naiveBayes(List<LogisticTrainer.Example> examples, int buckets, double alpha) {
        double[] injection = new double[buckets];
        double[] benign = new double[buckets];
        for (LogisticTrainer.Example e : examples) {
            double[] sums = e.injection() ? injection : benign;
            int[] b = e.features().buckets();
            double[] v = e.features().values();
            for (int k = 0; k < b.length; k++) {
                sums[b[k]] += v[k];
            }
        }
        double injectionTotal = alpha * buckets;
        double benignTotal = alpha * buckets;
        for (int b = 0; b < buckets; b++) {
            injectionTotal += injection[b];
            benignTotal += benign[b];
        }
        float[] ratio = new float[buckets];
        for (int b = 0; b < buckets; b++) {
            ratio[b] = (float) (Math.log((injection[b] + alpha) / injectionTotal) - Math.log((benign[b] + alpha) / benignTotal));
        }
        return ratio;
    }

    /**
     * A logistic regression over a few inputs ({@code inputs[j][i]}: input j of line i), the classes weighted equally,
     * fitted by Newton's method with a whisper of L2 so that separable inputs still converge; returns the inputs'
     * weights, then the bias.
     */
    static double[] logistic(double[][] inputs, List<Boolean> injection) {
        int k = inputs.length;
        int n = injection.size();
        long positives = injection.stream().filter(b -> b).count();
        double positiveWeight = n / (2.0 * Math.max(1, positives));
        double negativeWeight = n / (2.0 * Math.max(1, n - positives));
        double[] beta = new double[k + 1];
        for (int iteration = 0; iteration < 50; iteration++) {
            double[] gradient = new double[k + 1];
            double[][] hessian = new double[k + 1][k + 1];
            for (int i = 0; i < n; i++) {
                double[] x = new double[k + 1];
                double z = beta[k];
                for (int j = 0; j < k; j++) {
                    x[j] = inputs[j][i];
                    z += beta[j] * x[j];
                }
                x[k] = 1;
                double p = 1 / (1 + Math.exp(-z));
                double weight = injection.get(i) ? positiveWeight : negativeWeight;
                double g = weight * (p - (injection.get(i) ? 1 : 0));
                double h = weight * p * (1 - p);
                for (int a = 0; a <= k; a++) {
                    gradient[a] += g * x[a];
                    for (int b = 0; b <= k; b++) {
                        hessian[a][b] += h * x[a] * x[b];
                    }
                }
            }
            for (int a = 0; a < k; a++) {
                gradient[a] += 1e-3 * beta[a];
                hessian[a][a] += 1e-3;
            }
            double[] step = solve(hessian, gradient);
            double largest = 0;
            for (int a = 0; a <= k; a++) {
                beta[a] -= step[a];
                largest = Math.max(largest, Math.abs(step[a]));
            }
            if (!Double.isFinite(largest)) {
                throw new IllegalStateException("injection model training: the logistic fit over " + k
                        + " inputs diverged (an input is not finite, or every line is on one side)");
            }
            if (largest < 1e-9) {
                break;
            }
        }
        return beta;
    }

    /** Solves {@code a·x = b} by Gaussian elimination with partial pivoting (a is small, symmetric, positive definite). */
    private static double[] solve(double[][] a, double[] b) {
        int n = b.length;
        double[][] m = new double[n][];
        for (int i = 0; i < n; i++) {
            m[i] = java.util.Arrays.copyOf(a[i], n + 1);
            m[i][n] = b[i];
        }
        for (int col = 0; col < n; col++) {
            int pivot = col;
            for (int row = col + 1; row < n; row++) {
                if (Math.abs(m[row][col]) > Math.abs(m[pivot][col])) {
                    pivot = row;
                }
            }
            double[] t = m[col];
            m[col] = m[pivot];
            m[pivot] = t;
            for (int row = col + 1; row < n; row++) {
                double f = m[row][col] / m[col][col];
                for (int c = col; c <= n; c++) {
                    m[row][c] -= f * m[col][c];
                }
            }
        }
        double[] x = new double[n];
        for (int row = n - 1; row >= 0; row--) {
            double sum = m[row][n];
            for (int c = row + 1; c < n; c++) {
                sum -= m[row][c] * x[c];
            }
            x[row] = sum / m[row][row];
        }
        return x;
    }

    private static LogisticTrainer.Example example(NgramHasher hasher, TextNormalizer normalizer, LabelledText line) {
        return new LogisticTrainer.Example(hasher.vector(normalizer.normalize(line.text()).text()), line.injection());
    }

    /** Fits the combination's three weights (model log-odds, capped rules' score, bias), the classes weighted equally. */
    static InjectionModel.Combiner combiner(List<LabelledText> lines, double[] probability, double[] rulesScore) {
        double[] logOdds = new double[lines.size()];
        double[] rules = new double[lines.size()];
        for (int i = 0; i < logOdds.length; i++) {
            double p = Math.min(1 - 1e-6, Math.max(1e-6, probability[i]));
            logOdds[i] = Math.log(p / (1 - p));
            rules[i] = Math.min(InjectionModel.RULES_CAP, rulesScore[i]);
        }
        double[] fit = logistic(new double[][] {logOdds, rules}, lines.stream().map(LabelledText::injection).toList());
        return new InjectionModel.Combiner(fit[0], fit[1], fit[2]);
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
        double t = lowestPassing(scored.stream().map(Scored::line).toList(),
                scored.stream().mapToDouble(Scored::combined).toArray(), fpr);
        return Math.min(0.99, Math.max(0.05, t));
    }
}
