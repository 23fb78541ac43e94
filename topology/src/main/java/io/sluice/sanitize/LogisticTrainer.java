package io.sluice.sanitize;

import java.util.List;
import java.util.Random;

/**
 * Fits the injection model's weights: logistic regression by AdaGrad stochastic gradient descent with L2
 * regularization, the two classes weighted to count equally. Deterministic for a seed (the shuffles come from it).
 */
final class LogisticTrainer {
    /** One labelled text, already hashed. */
    record Example(NgramHasher.Vector features, boolean injection) {}

    /** The fitted parameters. */
    record Fit(float[] weights, double bias) {}

    private final int bits;
    private final int epochs;
    private final double learningRate;
    private final double l2;

    LogisticTrainer(int bits, int epochs, double learningRate, double l2) {
        this.bits = bits;
        this.epochs = epochs;
        this.learningRate = learningRate;
        this.l2 = l2;
    }

    Fit fit(List<Example> examples, long seed) {
        float[] w = new float[1 << bits];
        float[] g2 = new float[w.length];
        double bias = 0;
        double biasG2 = 0;
        long positives = examples.stream().filter(Example::injection).count();
        long negatives = examples.size() - positives;
        double positiveWeight = positives == 0 ? 1 : examples.size() / (2.0 * positives);
        double negativeWeight = negatives == 0 ? 1 : examples.size() / (2.0 * negatives);
        int[] order = new int[examples.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Random random = new Random(seed);
        for (int epoch = 0; epoch < epochs; epoch++) {
            shuffle(order, random);
            for (int i : order) {
                Example e = examples.get(i);
                int[] buckets = e.features().buckets();
                double[] values = e.features().values();
                if (buckets.length == 0) {
                    continue;
                }
                double z = bias;
                for (int k = 0; k < buckets.length; k++) {
                    z += w[buckets[k]] * values[k];
                }
                double p = 1 / (1 + Math.exp(-z));
                double g = (p - (e.injection() ? 1 : 0)) * (e.injection() ? positiveWeight : negativeWeight);
                for (int k = 0; k < buckets.length; k++) {
                    int f = buckets[k];
                    double grad = g * values[k] + l2 * w[f];
                    g2[f] += (float) (grad * grad);
                    w[f] -= (float) (learningRate * grad / Math.sqrt(g2[f] + 1e-8));
                }
                biasG2 += g * g;
                bias -= learningRate * g / Math.sqrt(biasG2 + 1e-8);
            }
        }
        return new Fit(w, bias);
    }

    private static void shuffle(int[] order, Random random) {
        for (int i = order.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
    }
}
