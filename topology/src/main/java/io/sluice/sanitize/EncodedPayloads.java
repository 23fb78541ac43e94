package io.sluice.sanitize;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Long base64 or hex runs that decode to readable text: a way to hand a model instructions a filter cannot read. Hashes,
 * keys and binary blobs decode to bytes that are not UTF-8 text, so they are not reported.
 */
final class EncodedPayloads {
    private static final Pattern BASE64 = Pattern.compile("[A-Za-z0-9+/_-]{40,}={0,2}");
    // Contiguous hex, or byte pairs separated by spaces or colons. Group repetition recurses in java.util.regex, so the
    // separated form is bounded; a longer dump is still caught in chunks.
    private static final Pattern HEX = Pattern.compile("(?<![0-9A-Fa-f])(?:[0-9A-Fa-f]{48,}|(?:[0-9A-Fa-f]{2}[ :]){23,256}[0-9A-Fa-f]{2})");
    private static final int MAX_RUNS = 16;
    private static final int MIN_BASE64 = 40;
    private static final int MIN_HEX_DIGITS = 48;

    private EncodedPayloads() {}

    /** Per ASCII character: {@link #BASE64_CHAR} if {@link #BASE64}'s class holds it, {@link #HEX_CHAR} if a hex run may. */
    private static final byte[] CLASS = new byte[128];
    static final int BASE64_CHAR = 1;
    static final int HEX_CHAR = 2;

    static {
        for (char c = 0; c < CLASS.length; c++) {
            boolean base64 = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                    || c == '+' || c == '/' || c == '_' || c == '-';
            // both forms of HEX are a run of at least 48 hex digits, ' ' and ':'
            boolean hex = Character.digit(c, 16) >= 0 || c == ' ' || c == ':';
            CLASS[c] = (byte) ((base64 ? BASE64_CHAR : 0) | (hex ? HEX_CHAR : 0));
        }
    }

    /** The readable texts hidden in {@code text}, at most a few, each decoded once. */
    static List<String> decode(String text) {
        List<String> found = new ArrayList<>();
        // the patterns try every position of the text; one scan for a long enough run of either kind is far cheaper
        int runs = runs(text);
        if ((runs & BASE64_CHAR) != 0) {
            Matcher b = BASE64.matcher(text);
            while (b.find() && found.size() < MAX_RUNS) {
                readable(base64(b.group())).ifPresent(found::add);
            }
        }
        if ((runs & HEX_CHAR) == 0) {
            return found;
        }
        Matcher h = HEX.matcher(text);
        while (h.find() && found.size() < MAX_RUNS) {
            readable(hex(h.group())).ifPresent(found::add);
        }
        return found;
    }

    /**
     * Which kinds of run {@code text} holds: {@link #BASE64_CHAR} if {@link #MIN_BASE64} characters of the base64
     * class in a row, {@link #HEX_CHAR} if {@link #MIN_HEX_DIGITS} of a hex run's.
     */
    static int runs(String text) {
        return (hasRun(text, BASE64_CHAR, MIN_BASE64) ? BASE64_CHAR : 0)
                | (hasRun(text, HEX_CHAR, MIN_HEX_DIGITS) ? HEX_CHAR : 0);
    }

    /**
     * Whether {@code text} holds {@code min} characters of {@code kind} in a row. Any such run covers one of every
     * {@code min} positions, so only those are probed, and the run is measured around a probe of the kind: ordinary
     * prose is read about one character in six instead of every one.
     */
    private static boolean hasRun(String text, int kind, int min) {
        int length = text.length();
        int probe = min - 1;
        while (probe < length) {
            if (!is(text.charAt(probe), kind)) {
                probe += min;
                continue;
            }
            int start = probe;
            while (start > 0 && is(text.charAt(start - 1), kind)) {
                start--;
            }
            int end = probe + 1;
            while (end < length && is(text.charAt(end), kind)) {
                end++;
            }
            if (end - start >= min) {
                return true;
            }
            // the next run starts after end, so a run of min holds end + min - 1 or a later probe
            probe = end + min - 1;
        }
        return false;
    }

    private static boolean is(char c, int kind) {
        return c < CLASS.length && (CLASS[c] & kind) != 0;
    }

    private static byte[] base64(String run) {
        String standard = run.replace('-', '+').replace('_', '/');
        String unpadded = standard.replaceAll("=+$", "");
        try {
            return Base64.getDecoder().decode(unpadded.substring(0, unpadded.length() - unpadded.length() % 4));
        } catch (IllegalArgumentException e) {
            return new byte[0];
        }
    }

    private static byte[] hex(String run) {
        String digits = run.replaceAll("[ :]", "");
        return HexFormat.of().parseHex(digits.substring(0, digits.length() - digits.length() % 2));
    }

    /** The bytes as text if they are valid UTF-8 and at least 90% letters, digits, punctuation or spaces. */
    private static java.util.Optional<String> readable(byte[] bytes) {
        if (bytes.length < 20) {
            return java.util.Optional.empty();
        }
        String decoded;
        try {
            decoded = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return java.util.Optional.empty();
        }
        long printable = decoded.codePoints()
                .filter(cp -> Character.isLetterOrDigit(cp) || Character.isWhitespace(cp) || (cp >= 0x21 && cp <= 0x7E))
                .count();
        return printable >= 0.9 * decoded.codePointCount(0, decoded.length())
                ? java.util.Optional.of(decoded) : java.util.Optional.empty();
    }
}
