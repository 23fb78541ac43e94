package io.sluice.sanitize;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The spellings attackers use to slip a phrase past a filter, undone so that {@link InjectionDetector}'s rules can read
 * it: hyphens or underscores inside words ("i-nstruction", "DEVELOPER_MODE"), escaped markdown ("\\_"), digits for
 * letters ("1gn0r3 pr3v10u5") and letters spaced apart ("i g n o r e"). Each is a separate view of the text, scored
 * besides the original, so undoing one cannot hide a phrase the original shows.
 */
final class EvasionSpellings {
    private static final Pattern INTRA_WORD_HYPHEN = Pattern.compile("(?<=\\p{L})-+(?=\\p{L})");
    // Runs of letters, digits and the symbols that stand for letters; possessive, so a long run is read once.
    private static final Pattern WORD = Pattern.compile("[\\p{L}0-9@$]++");
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

    /** Words that mix letters with digits or symbols standing for letters, spelt with the letters. */
    static String unleet(String t) {
        Matcher m = WORD.matcher(t);
        StringBuilder out = null;
        int copied = 0;
        while (m.find()) {
            String word = m.group();
            if (word.length() >= 3 && word.length() <= MAX_WORD && mixesLettersAndStandIns(word)) {
                out = out == null ? new StringBuilder(t.length()) : out;
                out.append(t, copied, m.start()).append(letters(word));
                copied = m.end();
            }
        }
        return out == null ? t : out.append(t, copied, t.length()).toString();
    }

    /** Runs of three or more single letters, each followed by one space or dot ("i g n o r e", "D.A.N"), joined up. */
    static String unspace(String t) {
        StringBuilder out = null;
        int copied = 0;
        int i = 0;
        while (i < t.length()) {
            int end = spacedRunEnd(t, i);
            if (end < 0) {
                i++;
                continue;
            }
            out = out == null ? new StringBuilder(t.length()) : out;
            out.append(t, copied, i);
            for (int k = i; k < end; k += 2) {
                out.append(t.charAt(k));
            }
            copied = end;
            i = end;
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

    private static boolean mixesLettersAndStandIns(String word) {
        boolean letter = false;
        boolean standIn = false;
        for (int k = 0; k < word.length(); k++) {
            char c = word.charAt(k);
            letter |= Character.isLetter(c);
            standIn |= !Character.isLetter(c);
        }
        return letter && standIn;
    }

    private static String letters(String word) {
        StringBuilder s = new StringBuilder(word.length());
        for (char c : word.toCharArray()) {
            s.append(switch (c) {
                case '0' -> 'o';
                case '1' -> 'i';
                case '3' -> 'e';
                case '4', '@' -> 'a';
                case '5', '$' -> 's';
                case '7' -> 't';
                default -> c;
            });
        }
        return s.toString();
    }

    private static void addIfChanged(List<NormalizedText> views, NormalizedText original, String respelled) {
        if (!respelled.equals(original.text())) {
            views.add(new NormalizedText(respelled, original.removed()));
        }
    }
}
