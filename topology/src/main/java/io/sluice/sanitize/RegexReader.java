package io.sluice.sanitize;

import java.util.ArrayList;
import java.util.List;

/**
 * Reads a java.util.regex pattern into its {@link LiteralFilter}. Knows groups, lookarounds, alternation, character
 * classes, quantifiers and escapes; anything else (flags, named or atomic groups, back-references, {@code \Q}) throws,
 * and the caller then uses no filter. Notes which literals stand between word boundaries ({@code \b} or mandatory
 * white space), inside groups too, so that "act" in {@code \bact\s+as\b} is not taken for the one in "contract".
 */
final class RegexReader {
    private final String regex;
    private int at;

    RegexReader(String regex) {
        this.regex = regex;
    }

    boolean atEnd() {
        return at == regex.length();
    }

    LiteralFilter read() {
        return alternation(false, false);
    }

    /**
     * {@code a|b|...}; {@code boundedLeft}/{@code boundedRight}: whether a word boundary surely stands right before
     * and after whatever a branch matches.
     */
    private LiteralFilter alternation(boolean boundedLeft, boolean boundedRight) {
        List<LiteralFilter> branches = new ArrayList<>();
        branches.add(sequence(boundedLeft, boundedRight));
        while (at < regex.length() && regex.charAt(at) == '|') {
            at++;
            branches.add(sequence(boundedLeft, boundedRight));
        }
        return LiteralFilter.anyOf(branches);
    }

    /** A concatenation: adjacent literal characters form runs; runs and mandatory groups must all be present. */
    private LiteralFilter sequence(boolean boundedLeft, boolean boundedRight) {
        List<LiteralFilter> parts = new ArrayList<>();
        StringBuilder run = new StringBuilder();
        boolean runBoundedLeft = false;
        boolean previousBounds = boundedLeft; // whether the atom before the current one is a word boundary
        while (at < regex.length() && regex.charAt(at) != '|' && regex.charAt(at) != ')') {
            Atom atom = atom(previousBounds, boundedRight);
            Quantity q = quantifier();
            if (atom.literal() != null && q.exactlyOnce()) {
                if (run.isEmpty()) {
                    runBoundedLeft = previousBounds;
                }
                run.append(atom.literal());
                previousBounds = false;
                continue;
            }
            if (atom.literal() != null && q.min() >= 1) {
                // "ab+c" matches "ab…bc": the run ends after the first b, and a new one starts with the last
                if (run.isEmpty()) {
                    runBoundedLeft = previousBounds;
                }
                run.append(atom.literal());
                parts.add(LiteralFilter.literal(run, runBoundedLeft, false));
                run.setLength(0);
                run.append(atom.literal());
                runBoundedLeft = false;
                previousBounds = false;
                continue;
            }
            boolean bounds = atom.bounds() && (atom.zeroWidth() ? q.exactlyOnce() : q.min() >= 1);
            parts.add(LiteralFilter.literal(run, runBoundedLeft, bounds));
            run.setLength(0);
            if (atom.filter() != null && q.min() >= 1) {
                parts.add(atom.filter());
            }
            // "[ \t]*" after a boundary: what follows is preceded by one of its characters or by the boundary itself
            boolean keeps = atom.transparent() && q.min() == 0 && previousBounds;
            previousBounds = bounds || keeps;
        }
        parts.add(LiteralFilter.literal(run, runBoundedLeft, boundedRight));
        return LiteralFilter.all(parts);
    }

    /**
     * One element of a sequence: a literal character, or a group's or a class's filter, or neither (both null);
     * {@code bounds}: it is {@code \b}, {@code ^} or {@code $} (zero width), or it matches only characters that are
     * not ASCII word characters ({@code \s}, {@code [:;]}), so no ASCII word character is on its far side of a
     * neighbouring run; {@code transparent}: the latter kind, which leaves a boundary before it in force however
     * often it repeats, none included.
     */
    private record Atom(String literal, LiteralFilter filter, boolean bounds, boolean zeroWidth, boolean transparent) {
        static final Atom NOTHING = new Atom(null, null, false, false, false);
        static final Atom BOUNDARY = new Atom(null, null, true, true, false);
        static final Atom SPACE = new Atom(null, null, true, false, true);

        static Atom literal(String c) {
            return new Atom(c, null, false, false, false);
        }
    }

    private record Quantity(int min, boolean exactlyOnce) {
        static final Quantity ONCE = new Quantity(1, true);
    }

    private Atom atom(boolean previousBounds, boolean boundedRight) {
        char c = regex.charAt(at++);
        return switch (c) {
            case '(' -> group(previousBounds, boundedRight);
            case '[' -> charClass();
            case '^', '$' -> Atom.BOUNDARY; // a line's start or end: a line terminator or nothing on the far side
            case '.' -> Atom.NOTHING;
            case '\\' -> escape();
            case '*', '+', '?', '{' -> throw new IllegalArgumentException("quantifier without an atom at " + (at - 1));
            default -> Character.isHighSurrogate(c) && at < regex.length()
                    ? Atom.literal(new String(new char[] {c, regex.charAt(at++)}))
                    : Atom.literal(String.valueOf(c));
        };
    }

    /** A group, its opening parenthesis read; the boundaries around it pass into it only if it occurs exactly once. */
    private Atom group(boolean previousBounds, boolean boundedRight) {
        int close = closingParenthesis(at - 1);
        boolean once = !isQuantifier(close + 1);
        boolean left = once && previousBounds;
        boolean right = once && boundsAt(close + 1, boundedRight);
        if (excludesWordCharacters(at, close)) {
            at = close + 1;
            return Atom.BOUNDARY;
        }
        boolean lookaround = false;
        if (regex.startsWith("?:", at)) {
            at += 2;
        } else if (regex.startsWith("?=", at) || regex.startsWith("?!", at)) {
            at += 2;
            lookaround = true;
        } else if (regex.startsWith("?<=", at) || regex.startsWith("?<!", at)) {
            at += 3;
            lookaround = true;
        } else if (regex.startsWith("?", at)) {
            throw new IllegalArgumentException("unsupported group at " + at); // flags, named or atomic groups
        }
        LiteralFilter inner = alternation(left, right);
        if (at != close) {
            throw new IllegalArgumentException("group read to " + at + ", but it closes at " + close);
        }
        at++;
        // a lookaround matches no text of its own: what it looks at need not be inside the match
        return lookaround ? Atom.NOTHING : new Atom(null, inner, false, false, false);
    }

    /**
     * Whether the group from {@code at} to {@code close} is a negative look-behind at one character class that holds
     * every ASCII word character, such as {@code (?<![A-Za-z0-9_])}: then no ASCII word character precedes, as after
     * {@code \b}.
     */
    private boolean excludesWordCharacters(int at, int close) {
        if (!regex.startsWith("?<![", at) || classEnd(at + 4) != close) {
            return false;
        }
        java.util.regex.Pattern members;
        try {
            // case-sensitive, whatever the rule's flags: the class must hold every case of every word character itself
            members = java.util.regex.Pattern.compile(regex.substring(at + 3, close));
        } catch (java.util.regex.PatternSyntaxException e) {
            return false;
        }
        for (char c = 0; c < 0x80; c++) {
            boolean word = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
            if (word && !members.matcher(String.valueOf(c)).matches()) {
                return false;
            }
        }
        return true;
    }

    /**
     * Whether what starts at {@code pos} surely bounds a word: {@code \b}, {@code ^} or {@code $}, the end, or at least
     * one character that is not an ASCII word character ({@code \s}, {@code :}, {@code [ \t]}). An optional one of
     * the latter is looked past: in {@code (ai)[ \t]*:} a space, a tab or the colon follows the group.
     */
    private boolean boundsAt(int pos, boolean boundedRight) {
        if (pos >= regex.length() || regex.charAt(pos) == '|' || regex.charAt(pos) == ')') {
            return boundedRight;
        }
        char c = regex.charAt(pos);
        if (regex.startsWith("\\b", pos) || c == '^' || c == '$') {
            return !isQuantifier(pos + (c == '\\' ? 2 : 1));
        }
        int next; // just past the atom at pos
        if (regex.startsWith("\\s", pos)) {
            next = pos + 2;
        } else if (c == '[') {
            next = classEnd(pos + 1);
            if (plainMembers(pos + 1, next - 1) == null) {
                return false;
            }
        } else if (c == '\\' && pos + 1 < regex.length() && nonWordAscii(regex.charAt(pos + 1))) {
            next = pos + 2; // an escaped metacharacter
        } else if (nonWordAscii(c) && "(.*+?{\\".indexOf(c) < 0) {
            next = pos + 1; // a literal such as ':' or ' '
        } else {
            return false;
        }
        return minimumAt(next) >= 1 || boundsAt(pastQuantifier(next), boundedRight);
    }

    private static boolean nonWordAscii(char c) {
        return c < 0x80 && !Character.isLetterOrDigit(c) && c != '_';
    }

    /** How often the atom before {@code pos} must occur, by the quantifier at {@code pos}, if any. */
    private int minimumAt(int pos) {
        if (pos >= regex.length()) {
            return 1;
        }
        return switch (regex.charAt(pos)) {
            case '?', '*' -> 0;
            case '{' -> Integer.parseInt(regex.substring(pos + 1, regex.indexOf('}', pos)).split(",", -1)[0].strip());
            default -> 1;
        };
    }

    /** Just past the quantifier at {@code pos} (and its lazy or possessive mark), or {@code pos} if there is none. */
    private int pastQuantifier(int pos) {
        if (!isQuantifier(pos)) {
            return pos;
        }
        int end = regex.charAt(pos) == '{' ? regex.indexOf('}', pos) + 1 : pos + 1;
        return end < regex.length() && (regex.charAt(end) == '?' || regex.charAt(end) == '+') ? end + 1 : end;
    }

    private boolean isQuantifier(int pos) {
        return pos < regex.length() && "*+?{".indexOf(regex.charAt(pos)) >= 0;
    }

    /** The index of the ')' closing the group opened at {@code open}. */
    private int closingParenthesis(int open) {
        int depth = 0;
        for (int i = open; i < regex.length(); i++) {
            char c = regex.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == '[') {
                i = classEnd(i + 1) - 1;
            } else if (c == '(') {
                depth++;
            } else if (c == ')' && --depth == 0) {
                return i;
            }
        }
        throw new IllegalArgumentException("unclosed group at " + open);
    }

    private Atom escape() {
        char e = regex.charAt(at++);
        if (!Character.isLetterOrDigit(e)) {
            return Atom.literal(String.valueOf(e)); // an escaped metacharacter stands for itself
        }
        return switch (e) {
            case 'b' -> Atom.BOUNDARY;
            case 's' -> Atom.SPACE;
            case 'B', 'S', 'w', 'W', 'd', 'D', 'h', 'H', 'v', 'V', 'A', 'z', 'Z', 'G', 'R', 'X' -> Atom.NOTHING;
            case 'p', 'P' -> {
                at = at < regex.length() && regex.charAt(at) == '{' ? regex.indexOf('}', at) + 1 : at + 1;
                yield Atom.NOTHING;
            }
            case 'n' -> Atom.literal("\n");
            case 'r' -> Atom.literal("\r");
            case 't' -> Atom.literal("\t");
            default -> throw new IllegalArgumentException("unsupported escape \\" + e);
        };
    }

    /**
     * A character class, its '[' read. A plain list of ASCII characters that are not word characters ({@code [ \t]},
     * {@code [\[{<]}) bounds words as {@code \s} does; if none of them is white space, one of them must also be in
     * the text (single characters, as {@link LiteralFilter#literal} keeps a run of one punctuation character: a
     * class of rare punctuation is selective). Ranges, negation, nested classes and escapes such as {@code \w} or
     * {@code \p{L}} give nothing.
     */
    private Atom charClass() {
        int end = classEnd(at);
        List<Character> members = plainMembers(at, end - 1);
        at = end;
        if (members == null) {
            return Atom.NOTHING;
        }
        boolean space = members.stream().anyMatch(Character::isWhitespace);
        LiteralFilter filter = space ? null : LiteralFilter.anyOf(members.stream()
                .map(c -> (LiteralFilter) new LiteralFilter.Literal(String.valueOf(c), false, false)).toList());
        return new Atom(null, filter, true, false, true);
    }

    /**
     * The characters of the class from {@code from} to its closing ']' at {@code close}, if it is a plain list of ASCII
     * characters that are not word characters; otherwise null.
     */
    private List<Character> plainMembers(int from, int close) {
        List<Character> members = new ArrayList<>();
        for (int i = from; i < close; i++) {
            char c = regex.charAt(i);
            if (c == '\\') {
                char e = regex.charAt(++i);
                if (e == 's') {
                    " \t\n\u000B\f\r".chars().forEach(w -> members.add((char) w));
                    continue;
                }
                c = switch (e) {
                    case 't' -> '\t';
                    case 'n' -> '\n';
                    case 'r' -> '\r';
                    case 'f' -> '\f';
                    default -> Character.isLetterOrDigit(e) ? 'a' : e; // \w, \d, \p{..}, \x..: not read
                };
            } else if (c == '[' || c == '&' || (c == '^' && i == from) || (c == '-' && i > from && i + 1 < close)) {
                return null; // a nested class, an intersection, a negation, a range
            }
            if (c >= 0x80 || Character.isLetterOrDigit(c) || c == '_') {
                return null;
            }
            members.add(c);
        }
        return members.isEmpty() ? null : members;
    }

    /** Just past the ']' closing a character class whose '[' is right before {@code from}. */
    private int classEnd(int from) {
        int i = from;
        if (i < regex.length() && regex.charAt(i) == '^') {
            i++;
        }
        if (i < regex.length() && regex.charAt(i) == ']') {
            i++; // a ']' first in a class is a literal
        }
        for (int depth = 1; depth > 0; ) {
            char c = regex.charAt(i++);
            if (c == '\\') {
                char e = regex.charAt(i++);
                if (e == 'c' || e == 'Q') {
                    throw new IllegalArgumentException("\\" + e + " in a class"); // it swallows what follows
                }
            } else if (c == '[') {
                if (regex.startsWith("]", i) || regex.startsWith("^]", i)) {
                    throw new IllegalArgumentException("a nested class opening with ']' at " + i);
                }
                depth++;
            } else if (c == ']') {
                depth--;
            }
        }
        return i;
    }

    private Quantity quantifier() {
        if (at >= regex.length()) {
            return Quantity.ONCE;
        }
        int min;
        boolean once = false;
        switch (regex.charAt(at)) {
            case '?', '*' -> {
                at++;
                min = 0;
            }
            case '+' -> {
                at++;
                min = 1;
            }
            case '{' -> {
                int close = regex.indexOf('}', at);
                String[] bounds = regex.substring(at + 1, close).split(",", -1);
                min = Integer.parseInt(bounds[0].strip());
                once = min == 1 && bounds.length == 1;
                at = close + 1;
            }
            default -> {
                return Quantity.ONCE;
            }
        }
        if (at < regex.length() && (regex.charAt(at) == '?' || regex.charAt(at) == '+')) {
            at++; // lazy or possessive: the same strings match
        }
        return new Quantity(min, once);
    }
}
