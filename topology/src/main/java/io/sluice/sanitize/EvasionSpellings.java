package io.sluice.sanitize;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The spellings attackers use to slip a phrase past a filter, undone so that {@link InjectionDetector}'s rules can read
 * it: hyphens or underscores inside words ("i-nstruction", "DEVELOPER_MODE"), escaped markdown ("\\_"), digits for
 * letters ("1gn0r3 pr3v10u5") and letters spaced apart ("i g n o r e"). Each is a separate view of the text, scored
 * besides the original, so undoing one cannot hide a phrase the original shows.
 */
final class EvasionSpellings {
    private static final Pattern INTRA_WORD_HYPHEN = Pattern.compile("(?<=\\p{L})-+(?=\\p{L})");
    private static final int MAX_WORD = 40;

    private EvasionSpellings() {}

    /** The original text followed by each respelling of it that differs, at most three. */
    static List<NormalizedText> views(NormalizedText text) {
        List<NormalizedText> views = new ArrayList<>(4);
        views.add(text);
        addIfChanged(views, text, collapse(text.text()));
        addIfChanged(views, text, unleet(text.text()));
        addIfChanged(views, text, unspace(text.text()));
        return views;
    }

    static String collapse(String t) {
        if (t.indexOf('-') < 0 && t.indexOf('_') < 0 && t.indexOf('\\') < 0) {
            return t;
        }
        return INTRA_WORD_HYPHEN.matcher(t.replace("\\", "")).replaceAll("").replace('_', ' ');
    }

    /**
     * Words that mix letters with digits or symbols standing for letters, spelt with the letters. A word is a run of
     * letters (of any script), ASCII digits, {@code @} and {@code $}; read by hand, as the regular expression
     * {@code [\\p{L}0-9@$]++} would, without a match object and a string per word.
     */
    static String unleet(String t) {
        StringBuilder out = null;
        int copied = 0;
        int length = t.length();
        // Only a word with a stand-in can change (its other non-letters, halves of a surrogate pair, are spelt as
        // they are), so the scan goes from stand-in to stand-in and reads just the words around them.
        int i = nextStandIn(t, 0);
        while (i < length) {
            int start = i;
            while (start > copied && isWordPoint(Character.codePointBefore(t, start))) {
                start -= Character.charCount(Character.codePointBefore(t, start));
            }
            int end = i;
            while (end < length && isWordPoint(t.codePointAt(end))) {
                end += Character.charCount(t.codePointAt(end));
            }
            if (end - start >= 3 && end - start <= MAX_WORD && mixesLettersAndStandIns(t, start, end)) {
                out = out == null ? new StringBuilder(length) : out;
                out.append(t, copied, start);
                appendLetters(out, t, start, end);
                copied = end;
            }
            i = nextStandIn(t, end);
        }
        return out == null ? t : out.append(t, copied, length).toString();
    }

    /** A character of a word: a letter of any script, an ASCII digit, {@code @} or {@code $}. */
    private static boolean isWordPoint(int c) {
        return Character.isLetter(c) || (c >= '0' && c <= '9') || c == '@' || c == '$';
    }

    /** The index of the first ASCII digit, {@code @} or {@code $} at or after {@code from}, or the text's length. */
    private static int nextStandIn(String t, int from) {
        for (int k = from; k < t.length(); k++) {
            char c = t.charAt(k);
            if ((c >= '0' && c <= '9') || c == '@' || c == '$') {
                return k;
            }
        }
        return t.length();
    }

    /** Runs of three or more single letters, each followed by one space or dot ("i g n o r e", "D.A.N"), joined up. */
    static String unspace(String t) {
        StringBuilder out = null;
        int copied = 0;
        for (int i = 0; i + 1 < t.length(); i++) {
            char next = t.charAt(i + 1);
            if (next != ' ' && next != '.') {
                continue; // a run's first letter has a space or dot after it
            }
            int end = spacedRunEnd(t, i);
            if (end < 0) {
                continue;
            }
            out = out == null ? new StringBuilder(t.length()) : out;
            out.append(t, copied, i);
            for (int k = i; k < end; k += 2) {
                out.append(t.charAt(k));
            }
            copied = end;
            i = end - 1;
        }
        return out == null ? t : out.append(t, copied, t.length()).toString();
    }

    /** The end of a run of three or more spaced single letters starting at {@code start}, or -1 if none does. */
    private static int spacedRunEnd(String t, int start) {
        if (start > 0 && (Character.isLetter(t.charAt(start - 1)) || t.charAt(start - 1) == '.')) {
            return -1;
        }
        int letters = 0;
        int end = -1;
        for (int k = start; isSingleLetter(t, k); k += 2) {
            letters++;
            end = k + 1;
            if (end == t.length() || (t.charAt(end) != ' ' && t.charAt(end) != '.')) {
                break;
            }
        }
        return letters >= 3 ? end : -1;
    }

    private static boolean isSingleLetter(String t, int k) {
        return k < t.length() && Character.isLetter(t.charAt(k)) && (k + 1 == t.length() || !Character.isLetter(t.charAt(k + 1)));
    }

    private static boolean mixesLettersAndStandIns(String t, int from, int to) {
        boolean letter = false;
        boolean standIn = false;
        for (int k = from; k < to; k++) {
            char c = t.charAt(k);
            letter |= Character.isLetter(c);
            standIn |= !Character.isLetter(c);
        }
        return letter && standIn;
    }

    private static void appendLetters(StringBuilder out, String t, int from, int to) {
        for (int k = from; k < to; k++) {
            char c = t.charAt(k);
            out.append(switch (c) {
                case '0' -> 'o';
                case '1' -> 'i';
                case '3' -> 'e';
                case '4', '@' -> 'a';
                case '5', '$' -> 's';
                case '7' -> 't';
                default -> c;
            });
        }
    }

    private static void addIfChanged(List<NormalizedText> views, NormalizedText original, String respelled) {
        if (!respelled.equals(original.text())) {
            views.add(new NormalizedText(respelled, original.removed()));
        }
    }
}
