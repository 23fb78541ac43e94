package io.sluice.sanitize;

import java.util.Arrays;

/**
 * Turns a text into hashed n-gram features for the injection model: word unigrams and bigrams, and character 4-grams
 * of the lower-cased text with runs of white space folded to one space. Each feature is a bucket in a fixed-size
 * weight vector (the hashing trick), so the model needs no vocabulary; the feature vector holds each bucket's count,
 * scaled to unit length, so that a text repeated many times scores as the text once (a long pasted document is not
 * an injection for being long). {@link #dot} walks the text once, counting in a per-thread table it clears after,
 * and allocates nothing.
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

    /** The dot product of {@code text}'s unit-length count vector with {@code weights}; 0 for a text with no features. */
    double dot(String text, float[] weights) {
        Sum sum = SUMS.get();
        sum.start(weights, text.length());
        try {
            walk(text, sum);
            return sum.sumOfSquares == 0 ? 0 : sum.total / Math.sqrt(sum.sumOfSquares);
        } finally {
            sum.clear();
        }
    }

    /** The length of the count vector of {@code features} (with repeats), as {@link #dot} scales by. */
    static double norm(int[] features) {
        int[] sorted = features.clone();
        Arrays.sort(sorted);
        long sumOfSquares = 0;
        for (int i = 0; i < sorted.length; ) {
            int j = i;
            while (j < sorted.length && sorted[j] == sorted[i]) {
                j++;
            }
            sumOfSquares += (long) (j - i) * (j - i);
            i = j;
        }
        return Math.sqrt(sumOfSquares);
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

    private static final ThreadLocal<Sum> SUMS = ThreadLocal.withInitial(Sum::new);

    /**
     * A thread's scratch for {@link #dot}: each bucket's count in the text at hand, in a small open-addressing table
     * sized to the text (a prompt's few thousand features stay in the first-level cache) and cleared after.
     */
    private static final class Sum implements Sink {
        private float[] weights;
        private long[] slots = new long[1 << 12]; // bucket + 1 in the high half, its count in the low half
        private int shift = Integer.SIZE - 12;
        private int[] used = new int[1 << 10]; // the slots taken, so that clearing costs what the text did
        private int size;
        private double total;
        private long sumOfSquares;

        void start(float[] weights, int textLength) {
            this.weights = weights;
            // at most 2 features a character (a 4-gram each, words and word pairs): a table at most half full
            int wanted = Integer.highestOneBit(Math.max(1 << 11, textLength * 4 + 1)) << 1;
            if (slots.length < wanted) {
                slots = new long[wanted];
                shift = Integer.SIZE - Integer.numberOfTrailingZeros(wanted);
            }
        }

        @Override
        public void add(int bucket) {
            total += weights[bucket];
            long key = (long) (bucket + 1) << 32;
            int mask = slots.length - 1;
            for (int i = (bucket * 0x9E3779B9) >>> shift; ; i = (i + 1) & mask) {
                long slot = slots[i];
                if (slot == 0) {
                    slots[i] = key | 1;
                    sumOfSquares += 1;
                    if (size == used.length) {
                        used = Arrays.copyOf(used, size * 2);
                    }
                    used[size++] = i;
                    return;
                }
                if ((slot & 0xFFFFFFFF00000000L) == key) {
                    long c = (slot & 0xFFFFFFFFL) + 1;
                    slots[i] = key | c;
                    sumOfSquares += 2 * c - 1; // c^2 - (c-1)^2
                    return;
                }
            }
        }

        void clear() {
            for (int i = 0; i < size; i++) {
                slots[used[i]] = 0;
            }
            size = 0;
            total = 0;
            sumOfSquares = 0;
            weights = null;
        }
    }
}
