package io.sluice.sanitize;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * The trained prompt-injection classifier: logistic regression over {@link NgramHasher hashed n-grams}, and how its
 * probability combines with the rules' score into one verdict, with that verdict's threshold calibrated for each
 * policy action when it was trained ({@code ./sluice train-detector}). In-process and cheap: one pass over the text
 * and a sum of weights. The shipped model is the resource {@value #RESOURCE}.
 *
 * @param idf            each n-gram bucket's inverse document frequency over the training lines, a factor on its
 *                       feature's weight
 * @param combiner       how the model's probability and the rules' score weigh in the combined verdict
 * @param blockThreshold the combined probability at or above which {@code block} refuses a prompt
 * @param flagThreshold  the same for {@code flag}, lower: a flag only marks the request
 * @param rulesFloor     a rules' score no benign training line reached: at or above it the rules decide alone, so
 *                       that the model never outvotes several strong rules (attacks unlike its training data)
 * @param seed           the training seed, which also fixes which corpus lines were held back ({@link TrainingSplit})
 */
public record InjectionModel(int bits, float[] weights, float[] idf, double bias, Combiner combiner, double blockThreshold,
                             double flagThreshold, double rulesFloor, long seed) {
    /** The model part alone flags a text at or above this probability (its classes were weighted equally). */
    public static final double MODEL_PART_THRESHOLD = 0.5;
    /** Rule scores above this add nothing more to the combined verdict: three families firing is certainty enough. */
    public static final double RULES_CAP = 3.0;

    /**
     * A logistic regression over two inputs, fitted on out-of-fold scores: the model's log-odds and the rules' score
     * (capped at {@link #RULES_CAP}).
     */
    public record Combiner(double modelWeight, double rulesWeight, double bias) {
        public double probability(double modelProbability, double rulesScore) {
            double p = Math.min(1 - 1e-6, Math.max(1e-6, modelProbability));
            double z = modelWeight * Math.log(p / (1 - p)) + rulesWeight * Math.min(RULES_CAP, rulesScore) + bias;
            return 1 / (1 + Math.exp(-z));
        }
    }

    public static final String RESOURCE = "/io/sluice/sanitize/injection-model.bin.gz";
    private static final int MAGIC = 0x534C494D; // "SLIM"
    // 3: character 3-grams beside 4-grams, counts weighed 1 + ln c; 4: times each bucket's inverse document frequency
    private static final int VERSION = 4;

    public InjectionModel {
        if (weights.length != 1 << bits) {
            throw new IllegalArgumentException("injection model: " + weights.length + " weights for " + bits + " bits");
        }
        if (idf.length != weights.length) {
            throw new IllegalArgumentException("injection model: " + idf.length + " document frequencies for "
                    + weights.length + " weights");
        }
        checkThreshold("block", blockThreshold);
        checkThreshold("flag", flagThreshold);
    }

    private static void checkThreshold(String name, double t) {
        if (!(t > 0 && t < 1)) {
            throw new IllegalArgumentException("injection model: " + name + " threshold must be in (0, 1), but was " + t);
        }
    }

    /** The combined verdict's probability for a text the model gave {@code modelProbability} and the rules {@code rulesScore}. */
    public double combined(double modelProbability, double rulesScore) {
        return combiner.probability(modelProbability, rulesScore);
    }

    /** The probability, by the model alone, that {@code text} is a prompt injection. */
    public double probability(String text) {
        return 1 / (1 + Math.exp(-(bias + hasher().dot(text, weights))));
    }

    NgramHasher hasher() {
        return new NgramHasher(bits, idf);
    }

    /** The calibrated threshold for a policy's action; {@code OFF} never fires. */
    public double threshold(SanitizePolicy.InjectionAction action) {
        return switch (action) {
            case BLOCK -> blockThreshold;
            case FLAG -> flagThreshold;
            case OFF -> Double.POSITIVE_INFINITY;
        };
    }

    /** The model Sluice ships, read once. */
    public static InjectionModel shipped() {
        return Shipped.MODEL;
    }

    public static InjectionModel read(InputStream in) throws IOException {
        DataInputStream data = new DataInputStream(new GZIPInputStream(in, 1 << 16));
        if (data.readInt() != MAGIC || data.readInt() != VERSION) {
            throw new IOException("not a Sluice injection model (version " + VERSION + ")");
        }
        int bits = data.readInt();
        long seed = data.readLong();
        double bias = data.readDouble();
        Combiner combiner = new Combiner(data.readDouble(), data.readDouble(), data.readDouble());
        double block = data.readDouble();
        double flag = data.readDouble();
        double floor = data.readDouble();
        float[] weights = new float[1 << bits];
        for (int i = 0; i < weights.length; i++) {
            weights[i] = data.readFloat();
        }
        float[] idf = new float[1 << bits];
        for (int i = 0; i < idf.length; i++) {
            idf[i] = data.readFloat();
        }
        return new InjectionModel(bits, weights, idf, bias, combiner, block, flag, floor, seed);
    }

    public void write(OutputStream out) throws IOException {
        GZIPOutputStream zipped = new GZIPOutputStream(out, 1 << 16);
        DataOutputStream data = new DataOutputStream(zipped);
        data.writeInt(MAGIC);
        data.writeInt(VERSION);
        data.writeInt(bits);
        data.writeLong(seed);
        data.writeDouble(bias);
        data.writeDouble(combiner.modelWeight());
        data.writeDouble(combiner.rulesWeight());
        data.writeDouble(combiner.bias());
        data.writeDouble(blockThreshold);
        data.writeDouble(flagThreshold);
        data.writeDouble(rulesFloor);
        for (float w : weights) {
            data.writeFloat(w);
        }
        for (float f : idf) {
            data.writeFloat(f);
        }
        data.flush();
        zipped.finish();
    }

    /** Loaded on first use, so that a class that never scores a prompt does not read the file. */
    private static final class Shipped {
        static final InjectionModel MODEL = load();

        private static InjectionModel load() {
            try (InputStream in = InjectionModel.class.getResourceAsStream(RESOURCE)) {
                if (in == null) {
                    throw new IllegalStateException("injection model: resource " + RESOURCE + " is missing from the"
                            + " classpath; run ./sluice train-detector to make it");
                }
                return read(in);
            } catch (IOException e) {
                throw new UncheckedIOException("injection model: cannot read " + RESOURCE, e);
            }
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof InjectionModel m && bits == m.bits && java.util.Arrays.equals(weights, m.weights)
                && java.util.Arrays.equals(idf, m.idf) && bias == m.bias && combiner.equals(m.combiner) && blockThreshold == m.blockThreshold && flagThreshold == m.flagThreshold
                && rulesFloor == m.rulesFloor && seed == m.seed;
    }

    @Override
    public int hashCode() {
        return java.util.Arrays.hashCode(weights) * 31 + Long.hashCode(seed);
    }

    @Override
    public String toString() {
        return "InjectionModel[bits=" + bits + ", seed=" + seed + ", " + combiner + ", block=" + blockThreshold
                + ", flag=" + flagThreshold + ", rulesFloor=" + rulesFloor + "]";
    }
}
