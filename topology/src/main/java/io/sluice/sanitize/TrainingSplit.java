package io.sluice.sanitize;

import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

/**
 * Which labelled lines the injection model trains on and which are held back, decided by a seeded hash of each
 * line's text: the same seed gives the same split whatever the files' order, and {@code ./sluice sanitize
 * --held-out} can tell, from the model's seed alone, which lines the shipped model never saw.
 */
public record TrainingSplit(long seed) {
    /** One line in {@value #TEST_IN} is held back for the final test. */
    public static final int TEST_IN = 5;

    /** Whether the line with {@code text} is in the held-back test split. */
    public boolean heldOut(String text) {
        return Math.floorMod(hash(text, seed), TEST_IN) == 0;
    }

    /** The cross-validation fold (0..k-1) of a training line. */
    public int fold(String text, int k) {
        return Math.floorMod(hash(text, seed * 31 + 7), k);
    }

    private static long hash(String text, long seed) {
        CRC32C crc = new CRC32C();
        crc.update(Long.toString(seed).getBytes(StandardCharsets.UTF_8));
        crc.update(text.getBytes(StandardCharsets.UTF_8));
        long h = crc.getValue() * 0x9E3779B97F4A7C15L;
        return h ^ (h >>> 29);
    }
}
