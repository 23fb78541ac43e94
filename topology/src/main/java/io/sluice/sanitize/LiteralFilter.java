package io.sluice.sanitize;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A cheap necessary condition for a regular expression to match, read from the pattern itself: which literal strings
 * a text must contain (case-folded, see {@link #fold}) for any match to exist. A literal run must be there; every
 * element of a sequence must be there; one branch of an alternation must be there; anything optional, any character
 * class and any syntax this reader does not know asks for nothing. So {@code test(fold(text)) == false} proves the
 * pattern cannot match, and skipping it changes no verdict.
 *
 * <p>It exists for speed: the injection rules are dozens of case-insensitive patterns with long alternations, and
 * java.util.regex tries each of them at every position of every prompt; most prompts hold the literals of few rules.
 */
sealed interface LiteralFilter {
    /** Literal runs shorter than this are in almost every text: not worth a test (but see {@link #literal}). */
    int MIN_USEFUL = 2;

    /** Always true: the pattern may match any text as far as this reader can tell. */
    LiteralFilter ANY = new Any();

    /** Whether {@code text} may match. */
    default boolean test(String text) {
        return test(scan(text));
    }

    /** Whether a text may match, given which literals it contains. */
    boolean test(Found found);

    /** Which literals a text contains. */
    @FunctionalInterface
    interface Found {
        boolean contains(Literal literal);
    }

    /** The literals of {@code text}, each looked for when asked (a {@link LiteralIndex} finds many in one pass). */
    static Found scan(String text) {
        String folded = fold(text);
        return literal -> literal.occursIn(text, folded);
    }

    /** Every literal in this filter, for a {@link LiteralIndex}. */
    static java.util.stream.Stream<Literal> literals(LiteralFilter filter) {
        return switch (filter) {
            case Literal l -> java.util.stream.Stream.of(l);
            case All a -> a.parts().stream().flatMap(LiteralFilter::literals);
            case AnyOf o -> o.alternatives().stream().flatMap(LiteralFilter::literals);
            case Any any -> java.util.stream.Stream.empty();
        };
    }

    /** The filter of {@code regex}, or {@link #ANY} when it has none. */
    static LiteralFilter of(String regex) {
        try {
            RegexReader reader = new RegexReader(regex);
            LiteralFilter filter = reader.read();
            return reader.atEnd() ? filter : ANY;
        } catch (RuntimeException unknownSyntax) {
            return ANY;
        }
    }

    /**
     * Case folding as java.util.regex applies it under {@code CASE_INSENSITIVE | UNICODE_CASE}: per character, per
     * code point for a surrogate pair, and never changing the length (no fold leaves its plane): two characters match
     * case-insensitively exactly when their folds are equal.
     */
    static String fold(String text) {
        char[] out = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                // a supplementary letter (Deseret, Osage, ...) folds as a code point, to one of the same plane
                int cp = text.codePointAt(i);
                int f = Character.toLowerCase(Character.toUpperCase(cp));
                if (f != cp && Character.charCount(f) == 2) {
                    out = out == null ? text.toCharArray() : out;
                    Character.toChars(f, out, i);
                }
                i++;
                continue;
            }
            char f;
            if (c < 0x80) {
                f = c >= 'A' && c <= 'Z' ? (char) (c + ('a' - 'A')) : c;
            } else {
                f = Character.isSurrogate(c) ? c : Character.toLowerCase(Character.toUpperCase(c));
            }
            if (f != c) {
                if (out == null) {
                    out = text.toCharArray();
                }
                out[i] = f;
            }
        }
        return out == null ? text : new String(out);
    }

    /**
     * A literal the text must contain, folded. {@code wordStart}: the pattern has {@code \b} or a mandatory
     * {@code \s} right before it, so an occurrence whose first character is an ASCII word character cannot follow
     * one; {@code wordEnd} likewise after it. Only ASCII word characters are ruled out, as they are word characters
     * whichever definition of a word boundary the regex engine uses.
     */
    record Literal(String folded, boolean wordStart, boolean wordEnd) implements LiteralFilter {
        Literal(String folded) {
            this(folded, false, false);
        }

        @Override
        public boolean test(Found found) {
            return found.contains(this);
        }

        /** Whether the occurrence at {@code start} of {@code text} can be the one a match holds. */
        boolean fitsAt(String text, int start) {
            int end = start + folded.length() - 1;
            return !(wordStart && start > 0 && asciiWord(text.charAt(start)) && asciiWord(text.charAt(start - 1)))
                    && !(wordEnd && end + 1 < text.length() && asciiWord(text.charAt(end))
                            && asciiWord(text.charAt(end + 1)));
        }

        boolean occursIn(String text, String folded) {
            for (int i = folded.indexOf(this.folded); i >= 0; i = folded.indexOf(this.folded, i + 1)) {
                if (fitsAt(text, i)) {
                    return true;
                }
            }
            return false;
        }

        private static boolean asciiWord(char c) {
            return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
        }
    }

    /** Every part must hold; the longest literals are tried first, as the likeliest to be missing. */
    record All(List<LiteralFilter> parts) implements LiteralFilter {
        @Override
        public boolean test(Found found) {
            for (LiteralFilter part : parts) {
                if (!part.test(found)) {
                    return false;
                }
            }
            return true;
        }
    }

    /** One alternative must hold. */
    record AnyOf(List<LiteralFilter> alternatives) implements LiteralFilter {
        @Override
        public boolean test(Found found) {
            for (LiteralFilter alternative : alternatives) {
                if (alternative.test(found)) {
                    return true;
                }
            }
            return false;
        }
    }

    /** No condition. */
    record Any() implements LiteralFilter {
        @Override
        public boolean test(Found found) {
            return true;
        }
    }

    /** The shortest literal a text matching this filter must hold; a rough measure of how selective it is. */
    static int shortest(LiteralFilter filter) {
        return switch (filter) {
            case Literal l -> l.folded().length();
            case All a -> a.parts().stream().mapToInt(LiteralFilter::shortest).max().orElse(0);
            case AnyOf o -> o.alternatives().stream().mapToInt(LiteralFilter::shortest).min().orElse(0);
            case Any any -> 0;
        };
    }

    static LiteralFilter all(List<LiteralFilter> parts) {
        List<LiteralFilter> kept = new ArrayList<>();
        for (LiteralFilter part : parts) {
            if (part instanceof All all) {
                kept.addAll(all.parts());
            } else if (!(part instanceof Any)) {
                kept.add(part);
            }
        }
        kept.sort(Comparator.comparingInt(LiteralFilter::shortest).reversed());
        return kept.isEmpty() ? ANY : kept.size() == 1 ? kept.get(0) : new All(List.copyOf(kept));
    }

    static LiteralFilter anyOf(List<LiteralFilter> alternatives) {
        List<LiteralFilter> kept = new ArrayList<>();
        for (LiteralFilter alternative : alternatives) {
            if (alternative instanceof Any) {
                return ANY;
            }
            if (alternative instanceof AnyOf nested) {
                kept.addAll(nested.alternatives());
            } else if (!kept.contains(alternative)) {
                kept.add(alternative);
            }
        }
        return kept.isEmpty() ? ANY : kept.size() == 1 ? kept.get(0) : new AnyOf(List.copyOf(kept));
    }

    /**
     * A run the pattern must match; a run of one character only if it is ASCII punctuation (the {@code \[} of
     * {@code \[PROMPT\]}), which most prompts lack, as a class of such characters is read.
     */
    static LiteralFilter literal(CharSequence run, boolean wordStart, boolean wordEnd) {
        boolean useful = run.length() >= MIN_USEFUL || run.length() == 1 && punctuation(run.charAt(0));
        return useful ? new Literal(fold(run.toString()), wordStart, wordEnd) : ANY;
    }

    /** An ASCII character that is neither a word character nor white space. */
    static boolean punctuation(char c) {
        return c > ' ' && c < 0x7F && !Character.isLetterOrDigit(c) && c != '_';
    }
}
