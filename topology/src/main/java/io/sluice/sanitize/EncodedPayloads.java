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

    /** The readable texts hidden in {@code text}, at most a few, each decoded once. */
    static List<String> decode(String text) {
        List<String> found = new ArrayList<>();
        // the patterns try every position of the text; a scan for a long enough run is far cheaper
        if (hasRun(text, EncodedPayloads::isBase64, MIN_BASE64)) {
            Matcher b = BASE64.matcher(text);
            while (b.find() && found.size() < MAX_RUNS) {
                readable(base64(b.group())).ifPresent(found::add);
            }
        }
        // both forms of HEX are a run of at least 48 hex digits, ' ' and ':'
        if (!hasRun(text, c -> Character.digit(c, 16) >= 0 && c < 0x80 || c == ' ' || c == ':', MIN_HEX_DIGITS)) {
            return found;
        }
        Matcher h = HEX.matcher(text);
        while (h.find() && found.size() < MAX_RUNS) {
            readable(hex(h.group())).ifPresent(found::add);
        }
        return found;
    }

    /** Whether {@code text} has {@code length} characters in a row that {@code member} accepts. */
    private static boolean hasRun(String text, java.util.function.IntPredicate member, int length) {
        int run = 0;
        for (int i = 0; i < text.length(); i++) {
            run = member.test(text.charAt(i)) ? run + 1 : 0;
            if (run >= length) {
                return true;
            }
        }
        return false;
    }

    /** A character of {@link #BASE64}'s class. */
    private static boolean isBase64(int c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                || c == '+' || c == '/' || c == '_' || c == '-';
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
