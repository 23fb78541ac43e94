package io.sluice.sanitize;

import java.util.Arrays;

/**
 * Turns a text into hashed n-gram features for the injection model: word unigrams and bigrams, and character 3- and
 * 4-grams of the lower-cased text with runs of white space folded to one space. Each feature is a bucket in a
 * fixed-size weight vector (the hashing trick), so the model needs no vocabulary. A bucket seen {@code c} times in a
 * text weighs {@code 1 + ln c} (sublinear: the tenth "ignore" says less than the first) times the bucket's inverse
 * document frequency (rare n-grams say more than ones in every prompt), and the vector is scaled to unit length, so that a text repeated many times scores about as the text once (a long pasted document is not an
 * injection for being long). {@link #dot} walks the text once, counting in a per-thread table it clears after, and
 * allocates nothing.
 */
final class NgramHasher {
    private static final int CHAR3_SALT = 0x27D4EB2F;
    private static final int CHAR_SALT = 0x9E3779B9;
    private static final int WORD_SALT = 0x85EBCA6B;
    private static final int PAIR_SALT = 0xC2B2AE35;
    /** {@code 1 + ln c} for the counts most buckets have, so that the hot path takes no logarithm. */
    private static final double[] LOG_COUNT = new double[256];

    static {
        for (int c = 1; c < LOG_COUNT.length; c++) {
            LOG_COUNT[c] = 1 + Math.log(c);
        }
    }

    /** At most 2^20 buckets: each scoring thread keeps a count a bucket (4 MiB at this size; 256 KiB at 2^16). */
    static final int MAX_BITS = 20;
    /** For ASCII: the lower case, and whether white space (1) or a letter or digit (2), of each character. */
    private static final char[] ASCII_LOWER = new char[128];
    private static final byte[] ASCII_KIND = new byte[128];
    private static final byte SPACE = 1;
    private static final byte LETTER_OR_DIGIT = 2;

    static {
        for (char c = 0; c < 128; c++) {
            char lower = Character.toLowerCase(c);
            ASCII_LOWER[c] = lower;
            ASCII_KIND[c] = (byte) ((Character.isWhitespace(lower) ? SPACE : 0)
                    | (Character.isLetterOrDigit(lower) ? LETTER_OR_DIGIT : 0));
        }
    }

    private final int mask;
    private final float[] idf;

    /** @param bits the weight vector has {@code 2^bits} buckets, every bucket weighed alike */
    NgramHasher(int bits) {
        this(bits, uniform(bits));
    }

    /**
     * @param bits the weight vector has {@code 2^bits} buckets
     * @param idf  each bucket's inverse document frequency, a factor on its weight ({@link #inverseDocumentFrequency})
     */
    NgramHasher(int bits, float[] idf) {
        if (bits < 10 || bits > MAX_BITS) {
            throw new IllegalArgumentException("n-gram hasher: bits must be 10.." + MAX_BITS + ", but was " + bits);
        }
        if (idf.length != 1 << bits) {
            throw new IllegalArgumentException("n-gram hasher: " + idf.length + " document frequencies for " + bits + " bits");
        }
        this.mask = (1 << bits) - 1;
        this.idf = idf;
    }

    private static float[] uniform(int bits) {
        float[] ones = new float[1 << bits];
        Arrays.fill(ones, 1f);
        return ones;
    }

    /**
     * Each bucket's inverse document frequency over {@code texts}, smoothed as if one more text held every bucket:
     * {@code 1 + ln((1 + n) / (1 + df))}, so that a bucket in every text still counts 1 and an unseen one the most.
     */
    float[] inverseDocumentFrequency(Iterable<String> texts) {
        int[] documents = new int[buckets()];
        int n = 0;
        for (String text : texts) {
            for (int bucket : vector(text).buckets()) {
                documents[bucket]++;
            }
            n++;
        }
        float[] out = new float[documents.length];
        for (int b = 0; b < out.length; b++) {
            out[b] = (float) (1 + Math.log((1.0 + n) / (1.0 + documents[b])));
        }
        return out;
    }

    int buckets() {
        return mask + 1;
    }

    /** Where the features of one text go, one call per occurrence. */
    interface Sink {
        void add(int bucket);
    }

    /** A text's feature vector: each bucket once, in ascending order, with its unit-length weight. */
    record Vector(int[] buckets, double[] values) {}

    /** The dot product of {@code text}'s {@link Vector} with {@code weights}; 0 for a text with no features. */
    double dot(String text, float[] weights) {
        Counts counts = COUNTS.get();
        counts.start(buckets());
        try {
            walk(text, counts);
            return counts.dot(weights, idf);
        } finally {
            counts.clear();
        }
    }

    /** The feature vector of {@code text}, for training. */
    Vector vector(String text) {
        Counts counts = COUNTS.get();
        counts.start(buckets());
        try {
            walk(text, counts);
            return counts.vector(idf);
        } finally {
            counts.clear();
        }
    }

    /** The weight of a bucket seen {@code count} times, before scaling to unit length. */
    static double weight(int count) {
        return count < LOG_COUNT.length ? LOG_COUNT[count] : 1 + Math.log(count);
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
            char c;
            int kind;
            if (i == length) {
                c = ' ';
                kind = SPACE;
            } else if ((c = text.charAt(i)) < 128) {
                kind = ASCII_KIND[c]; // the same answers as below, read from a table: most prompts are ASCII
                c = ASCII_LOWER[c];
            } else {
                c = Character.toLowerCase(c);
                kind = (Character.isWhitespace(c) ? SPACE : 0) | (Character.isLetterOrDigit(c) ? LETTER_OR_DIGIT : 0);
            }
            boolean space = (kind & SPACE) != 0;
            if (!(space && lastWasSpace) || i == length) {
                char folded = space ? ' ' : c;
                last4 = (last4 << 16) | folded;
                if (++seen >= 3) {
                    long last3 = last4 & 0xFFFF_FFFF_FFFFL;
                    sink.add(bucket(mix(((int) last3 * 31 + (int) (last3 >>> 32)) ^ CHAR3_SALT)));
                    count++;
                }
                if (seen >= 4) {
                    sink.add(bucket(mix((int) last4 * 31 + (int) (last4 >>> 32)) ^ CHAR_SALT));
                    count++;
                }
            }
            lastWasSpace = space;
            if ((kind & LETTER_OR_DIGIT) != 0) {
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

    private static final ThreadLocal<Counts> COUNTS = ThreadLocal.withInitial(Counts::new);

    /**
     * A thread's scratch: each bucket's count in the text at hand, indexed by bucket (256 KiB for the shipped model's
     * 2^16 buckets, 4 MiB at most; a bucket is one array index away, with no hashing or probing), and the buckets
     * seen in the order first seen; cleared after each text by those buckets alone.
     */
    private static final class Counts implements Sink {
        private int[] counts = new int[0];
        private int[] used = new int[1 << 10];
        private int size;

        void start(int buckets) {
            if (counts.length < buckets) {
                counts = new int[buckets];
            }
        }

        @Override
        public void add(int bucket) {
            if (counts[bucket]++ == 0) {
                if (size == used.length) {
                    used = Arrays.copyOf(used, size * 2);
                }
                used[size++] = bucket;
            }
        }

        double dot(float[] weights, float[] idf) {
            double total = 0;
            double sumOfSquares = 0;
            for (int i = 0; i < size; i++) {
                int bucket = used[i];
                double w = weight(counts[bucket]) * idf[bucket];
                total += weights[bucket] * w;
                sumOfSquares += w * w;
            }
            return sumOfSquares == 0 ? 0 : total / Math.sqrt(sumOfSquares);
        }

        Vector vector(float[] idf) {
            int[] buckets = Arrays.copyOf(used, size);
            Arrays.sort(buckets);
            double[] values = new double[size];
            double sumOfSquares = 0;
            for (int i = 0; i < size; i++) {
                values[i] = weight(counts[buckets[i]]) * idf[buckets[i]];
                sumOfSquares += values[i] * values[i];
            }
            double norm = sumOfSquares == 0 ? 1 : Math.sqrt(sumOfSquares);
            for (int i = 0; i < size; i++) {
                values[i] /= norm;
            }
            return new Vector(buckets, values);
        }

        void clear() {
            for (int i = 0; i < size; i++) {
                counts[used[i]] = 0;
            }
            size = 0;
        }
    }
}
