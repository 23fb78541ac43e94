package io.sluice.sanitize;

import java.util.Arrays;

/**
 * Turns a text into hashed n-gram features for the injection model: word unigrams and bigrams, and character 4-grams
 * of the lower-cased text with runs of white space folded to one space. Each feature is a bucket in a fixed-size
 * weight vector (the hashing trick), so the model needs no vocabulary and the hot path allocates nothing: {@link #dot}
 * walks the text once and sums the weights it lands on.
 */
final class NgramHasher {
    private static final int CHAR_SALT = 0x9E3779B9;
    private static final int WORD_SALT = 0x85EBCA6B;
    private static final int PAIR_SALT = 0xC2B2AE35;

    private final int mask;

    /** @param bits the weight vector has {@code 2^bits} buckets */
    NgramHasher(int bits) {
        if (bits < 10 || bits > 26) {
            throw new IllegalArgumentException("n-gram hasher: bits must be 10..26, but was " + bits);
        }
        this.mask = (1 << bits) - 1;
    }

    int buckets() {
        return mask + 1;
    }

    /** Where the features of one text go, one call per occurrence. */
    interface Sink {
        void add(int bucket);
    }

    /**
     * The mean weight of {@code text}'s features scaled by the square root of their count (a unit-length count
     * vector's dot product with {@code weights}), or 0 for a text with no features.
     */
    double dot(String text, float[] weights) {
        Sum sum = new Sum(weights);
        int n = walk(text, sum);
        return n == 0 ? 0 : sum.total / Math.sqrt(n);
    }

    /** The buckets of every feature of {@code text}, with repeats, for training. */
    int[] features(String text) {
        int[][] out = {new int[64]};
        int[] size = {0};
        walk(text, bucket -> {
            if (size[0] == out[0].length) {
                out[0] = Arrays.copyOf(out[0], size[0] * 2);
            }
            out[0][size[0]++] = bucket;
        });
        return Arrays.copyOf(out[0], size[0]);
    }

    /** Feeds every feature to {@code sink}; returns how many there were. */
    int walk(String text, Sink sink) {
        int count = 0;
        long last4 = 0; // the last four characters of the folded text, 16 bits each
        int seen = 0;
        boolean lastWasSpace = true;
        int word = 0;
        int wordLength = 0;
        int previousWord = 0;
        boolean hasPrevious = false;
        int length = text.length();
        for (int i = 0; i <= length; i++) {
            char c = i < length ? Character.toLowerCase(text.charAt(i)) : ' ';
            boolean space = Character.isWhitespace(c);
            if (!(space && lastWasSpace) || i == length) {
                char folded = space ? ' ' : c;
                last4 = (last4 << 16) | folded;
                if (++seen >= 4) {
                    sink.add(bucket(mix((int) last4 * 31 + (int) (last4 >>> 32)) ^ CHAR_SALT));
                    count++;
                }
            }
            lastWasSpace = space;
            if (Character.isLetterOrDigit(c)) {
                word = word * 31 + c;
                wordLength++;
                continue;
            }
            if (wordLength > 0) {
                int unigram = mix(word ^ WORD_SALT);
                sink.add(bucket(unigram));
                count++;
                if (hasPrevious) {
                    sink.add(bucket(mix(previousWord * 0x01000193 + unigram) ^ PAIR_SALT));
                    count++;
                }
                previousWord = unigram;
                hasPrevious = true;
                word = 0;
                wordLength = 0;
            }
        }
        return count;
    }

    private int bucket(int hash) {
        return hash & mask;
    }

    /** MurmurHash3's finalizer: spreads every input bit over the whole hash. */
    private static int mix(int h) {
        h ^= h >>> 16;
        h *= 0x85EBCA6B;
        h ^= h >>> 13;
        h *= 0xC2B2AE35;
        h ^= h >>> 16;
        return h;
    }

    private static final class Sum implements Sink {
        private final float[] weights;
        private double total;

        Sum(float[] weights) {
            this.weights = weights;
        }

        @Override
        public void add(int bucket) {
            total += weights[bucket];
        }
    }
}
