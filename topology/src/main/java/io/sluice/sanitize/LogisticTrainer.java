package io.sluice.sanitize;

import java.util.List;

/**
 * Fits the injection model's weights: L2-regularized logistic regression, the two classes weighted to count equally,
 * minimized to convergence by L-BFGS (full batch, backtracking line search). Deterministic: no sampling, so the same
 * examples give the same weights.
 *
 * <p>Why full batch and not stochastic gradient descent: an AdaGrad fit, stopped after a few epochs, gave rare
 * n-grams large weights; its mistakes were the same as naive Bayes', so the two together caught no more attacks than
 * it alone. The converged fit's mistakes differ, and together they catch more (see {@link DetectorTraining}).
 */
final class LogisticTrainer {
    /** One labelled text, already hashed. */
    record Example(NgramHasher.Vector features, boolean injection) {}

    /**
     * The fitted parameters, with the iterations taken and the largest gradient component left at the end (how near
     * the minimum the fit stopped).
     */
    record Fit(float[] weights, double bias, int iterations, double gradient) {}

    private static final int HISTORY = 10;
    /** The fit has converged once no gradient component is larger than this. */
    private static final double TOLERANCE = 1e-5;

    private final int bits;
    private final int iterations;
    private final double l2;

    /**
     * @param l2 the penalty {@code l2/2 · |w|²} beside the summed, class-weighted log loss (the bias is not penalized)
     */
    LogisticTrainer(int bits, int iterations, double l2) {
        this.bits = bits;
        this.iterations = iterations;
        this.l2 = l2;
    }

    Fit fit(List<Example> examples) {
        int dimensions = (1 << bits) + 1; // the weights, then the bias
        long positives = examples.stream().filter(Example::injection).count();
        long negatives = examples.size() - positives;
        double positiveWeight = positives == 0 ? 1 : examples.size() / (2.0 * positives);
        double negativeWeight = negatives == 0 ? 1 : examples.size() / (2.0 * negatives);
        Objective objective = new Objective(examples, positiveWeight, negativeWeight, l2, dimensions);

        double[] x = new double[dimensions];
        double[] gradient = new double[dimensions];
        double loss = objective.evaluate(x, gradient);
        double[][] s = new double[HISTORY][];
        double[][] y = new double[HISTORY][];
        double[] rho = new double[HISTORY];
        double[] alpha = new double[HISTORY];
        int stored = 0;
        double[] candidate = new double[dimensions];
        double[] candidateGradient = new double[dimensions];
        int iteration = 0;
        while (iteration < iterations && largest(gradient) > TOLERANCE) {
            iteration++;
            // the search direction: minus the gradient times the inverse Hessian estimate (two-loop recursion)
            double[] direction = gradient.clone();
            for (int k = stored - 1; k >= 0; k--) {
                alpha[k] = rho[k] * dot(s[k], direction);
                axpy(-alpha[k], y[k], direction);
            }
            if (stored > 0) {
                scale(direction, dot(s[stored - 1], y[stored - 1]) / dot(y[stored - 1], y[stored - 1]));
            }
            for (int k = 0; k < stored; k++) {
                double beta = rho[k] * dot(y[k], direction);
                axpy(alpha[k] - beta, s[k], direction);
            }
            scale(direction, -1);
            double slope = dot(gradient, direction);
            if (slope >= 0) { // not a descent direction: start the estimate again from the gradient
                direction = gradient.clone();
                scale(direction, -1);
                slope = dot(gradient, direction);
                stored = 0;
            }
            double step = stored == 0 ? 1 / Math.max(1, Math.sqrt(dot(gradient, gradient))) : 1;
            double next;
            boolean decreased;
            int tries = 0;
            while (true) {
                for (int i = 0; i < dimensions; i++) {
                    candidate[i] = x[i] + step * direction[i];
                }
                next = objective.evaluate(candidate, candidateGradient);
                decreased = next <= loss + 1e-4 * step * slope;
                if (decreased || ++tries > 30) {
                    break;
                }
                step /= 2;
            }
            if (!decreased) {
                if (stored == 0) {
                    break; // not even the gradient's direction lowers the loss: as low as floating point gets
                }
                stored = 0; // a poor estimate of the curvature: forget it and go down the gradient
                continue;
            }
            double[] sNew = new double[dimensions];
            double[] yNew = new double[dimensions];
            for (int i = 0; i < dimensions; i++) {
                sNew[i] = candidate[i] - x[i];
                yNew[i] = candidateGradient[i] - gradient[i];
            }
            double sy = dot(sNew, yNew);
            if (sy > 1e-12) {
                if (stored == HISTORY) {
                    System.arraycopy(s, 1, s, 0, HISTORY - 1);
                    System.arraycopy(y, 1, y, 0, HISTORY - 1);
                    System.arraycopy(rho, 1, rho, 0, HISTORY - 1);
                    stored--;
                }
                s[stored] = sNew;
                y[stored] = yNew;
                rho[stored] = 1 / sy;
                stored++;
            }
            System.arraycopy(candidate, 0, x, 0, dimensions);
            System.arraycopy(candidateGradient, 0, gradient, 0, dimensions);
            loss = next;
        }
        float[] weights = new float[dimensions - 1];
        for (int i = 0; i < weights.length; i++) {
            weights[i] = (float) x[i];
        }
        return new Fit(weights, x[dimensions - 1], iteration, largest(gradient));
    }

    /** The class-weighted log loss plus the L2 penalty, and its gradient. */
    private record Objective(List<Example> examples, double positiveWeight, double negativeWeight, double l2,
                             int dimensions) {
        double evaluate(double[] x, double[] gradient) {
            int bias = dimensions - 1;
            java.util.Arrays.fill(gradient, 0);
            double loss = 0;
            for (Example e : examples) {
                int[] buckets = e.features().buckets();
                double[] values = e.features().values();
                double z = x[bias];
                for (int k = 0; k < buckets.length; k++) {
                    z += x[buckets[k]] * values[k];
                }
                double weight = e.injection() ? positiveWeight : negativeWeight;
                // log(1 + e^-z) for a positive, log(1 + e^z) for a negative, computed without overflow
                double margin = e.injection() ? z : -z;
                loss += weight * (margin > 0 ? Math.log1p(Math.exp(-margin)) : -margin + Math.log1p(Math.exp(margin)));
                double p = 1 / (1 + Math.exp(-z));
                double g = weight * (p - (e.injection() ? 1 : 0));
                for (int k = 0; k < buckets.length; k++) {
                    gradient[buckets[k]] += g * values[k];
                }
                gradient[bias] += g;
            }
            for (int i = 0; i < bias; i++) {
                loss += 0.5 * l2 * x[i] * x[i];
                gradient[i] += l2 * x[i];
            }
            return loss;
        }
    }

    private static double largest(double[] x) {
        double max = 0;
        for (double v : x) {
            max = Math.max(max, Math.abs(v));
        }
        return max;
    }

    private static double dot(double[] a, double[] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            sum += a[i] * b[i];
        }
        return sum;
    }

    private static void axpy(double a, double[] x, double[] y) {
        for (int i = 0; i < y.length; i++) {
            y[i] += a * x[i];
        }
    }

    private static void scale(double[] x, double a) {
        for (int i = 0; i < x.length; i++) {
            x[i] *= a;
        }
    }
}
