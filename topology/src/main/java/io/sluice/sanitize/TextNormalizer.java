package io.sluice.sanitize;

import java.text.Normalizer;
import java.util.EnumMap;
import java.util.Map;

/**
 * Meaning-preserving normalization applied before any check, so that look-alike and invisible characters cannot hide
 * an attack from the rules: NFKC (full-width and mathematical letters become ASCII), line endings to {@code \n}, and
 * removal of controls, zero-width, bidi and tag characters. Idempotent, and total: it never throws.
 */
final class TextNormalizer {

    public NormalizedText normalize(String input) {
        if (input == null || input.isEmpty()) {
            return new NormalizedText("", Map.of());
        }
        Map<InvisibleKind, Integer> removed = new EnumMap<>(InvisibleKind.class);
        String stripped = strip(input, removed);
        // NFKC can recompose characters that removed invisibles used to separate, but it never creates invisibles;
        // the second strip is a guard so that normalize(normalize(x)) == normalize(x) holds whatever Unicode adds.
        String composed = Normalizer.normalize(stripped, Normalizer.Form.NFKC);
        String result = strip(composed, removed).strip();
        return new NormalizedText(result, removed);
    }

    private static String strip(String text, Map<InvisibleKind, Integer> removed) {
        if (clean(text)) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length());
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            int cp;
            int width;
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                cp = Character.toCodePoint(c, text.charAt(i + 1));
                width = 2;
            } else {
                cp = c;
                width = 1;
            }
            i += width;
            if (cp == '\r') {
                // \r\n and a lone \r both end a line.
                if (i < text.length() && text.charAt(i) == '\n') {
                    i++;
                }
                out.append('\n');
                continue;
            }
            InvisibleKind kind = kindOf(cp);
            if (kind == null) {
                out.appendCodePoint(cp);
            } else {
                removed.merge(kind, 1, Integer::sum);
            }
        }
        return out.toString();
    }

    /**
     * Whether {@link #strip} would return {@code text} unchanged: no carriage return, no surrogate (a pair is kept, but
     * it takes the slow path's care) and no invisible character. Most prompts are, and need no copy.
     */
    private static boolean clean(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c >= 0x20 && c < 0x7F) {
                continue;
            }
            if (c == '\r' || Character.isSurrogate(c) || kindOf(c) != null) {
                return false;
            }
        }
        return true;
    }

    /** The kind of an invisible code point, or null for one that stays. */
    static InvisibleKind kindOf(int cp) {
        if (cp == '\n' || cp == '\t') {
            return null;
        }
        if (Character.isSurrogate((char) cp) && cp <= 0xFFFF) {
            return InvisibleKind.LONE_SURROGATE;
        }
        if (Character.getType(cp) == Character.CONTROL) {
            return InvisibleKind.CONTROL;
        }
        if ((cp >= 0x200B && cp <= 0x200D) || cp == 0x2060 || cp == 0xFEFF) {
            return InvisibleKind.ZERO_WIDTH;
        }
        if ((cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069)) {
            return InvisibleKind.BIDI;
        }
        if (cp >= 0xE0000 && cp <= 0xE007F) {
            return InvisibleKind.TAG;
        }
        return null;
    }
}
