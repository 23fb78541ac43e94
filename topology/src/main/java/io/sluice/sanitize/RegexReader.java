package io.sluice.sanitize;

import java.util.ArrayList;
import java.util.List;

/**
 * Reads a java.util.regex pattern into its {@link LiteralFilter}. Knows groups, lookarounds, alternation, character
 * classes, quantifiers and escapes; anything else (flags, named or atomic groups, back-references, {@code \Q}) throws,
 * and the caller then uses no filter.
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

    /** {@code a|b|...} */
    LiteralFilter alternation() {
        List<LiteralFilter> branches = new ArrayList<>();
        branches.add(sequence());
        while (at < regex.length() && regex.charAt(at) == '|') {
            at++;
            branches.add(sequence());
        }
        return LiteralFilter.anyOf(branches);
    }

    /** A concatenation: adjacent literal characters form runs; runs and mandatory groups must all be present. */
    private LiteralFilter sequence() {
        List<LiteralFilter> parts = new ArrayList<>();
        StringBuilder run = new StringBuilder();
        while (at < regex.length() && regex.charAt(at) != '|' && regex.charAt(at) != ')') {
            Atom atom = atom();
            Quantity q = quantifier();
            if (atom.literal() != null && q.exactlyOnce()) {
                run.append(atom.literal());
                continue;
            }
            if (atom.literal() != null && q.min() >= 1) {
                // "ab+c" matches "ab…bc": the run ends after the first b, and a new one starts with the last
                run.append(atom.literal());
                parts.add(LiteralFilter.literal(run));
                run.setLength(0);
                run.append(atom.literal());
                continue;
            }
            parts.add(LiteralFilter.literal(run));
            run.setLength(0);
            if (atom.filter() != null && q.min() >= 1) {
                parts.add(atom.filter());
            }
        }
        parts.add(LiteralFilter.literal(run));
        return LiteralFilter.all(parts);
    }

    /** One element of a sequence: a literal character, or a group's filter, or neither (both null). */
    private record Atom(String literal, LiteralFilter filter) {
        static final Atom NOTHING = new Atom(null, null);
    }

    private record Quantity(int min, boolean exactlyOnce) {
        static final Quantity ONCE = new Quantity(1, true);
    }

    private Atom atom() {
        char c = regex.charAt(at++);
        return switch (c) {
            case '(' -> group();
            case '[' -> {
                skipClass();
                yield Atom.NOTHING;
            }
            case '.', '^', '$' -> Atom.NOTHING;
            case '\\' -> escape();
            case '*', '+', '?', '{' -> throw new IllegalArgumentException("quantifier without an atom at " + (at - 1));
            default -> Character.isHighSurrogate(c) && at < regex.length()
                    ? new Atom(new String(new char[] {c, regex.charAt(at++)}), null)
                    : new Atom(String.valueOf(c), null);
        };
    }

    private Atom group() {
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
        LiteralFilter inner = alternation();
        if (at >= regex.length() || regex.charAt(at) != ')') {
            throw new IllegalArgumentException("unclosed group");
        }
        at++;
        // a lookaround matches no text of its own: what it looks at need not be inside the match
        return lookaround ? Atom.NOTHING : new Atom(null, inner);
    }

    private Atom escape() {
        char e = regex.charAt(at++);
        if (!Character.isLetterOrDigit(e)) {
            return new Atom(String.valueOf(e), null); // an escaped metacharacter stands for itself
        }
        return switch (e) {
            case 'b', 'B', 's', 'S', 'w', 'W', 'd', 'D', 'h', 'H', 'v', 'V', 'A', 'z', 'Z', 'G', 'R', 'X' -> Atom.NOTHING;
            case 'p', 'P' -> {
                at = at < regex.length() && regex.charAt(at) == '{' ? regex.indexOf('}', at) + 1 : at + 1;
                yield Atom.NOTHING;
            }
            case 'n' -> new Atom("\n", null);
            case 't' -> new Atom("\t", null);
            default -> throw new IllegalArgumentException("unsupported escape \\" + e);
        };
    }

    private void skipClass() {
        if (at < regex.length() && regex.charAt(at) == '^') {
            at++;
        }
        if (at < regex.length() && regex.charAt(at) == ']') {
            at++; // a ']' first in a class is a literal
        }
        for (int depth = 1; depth > 0; ) {
            char c = regex.charAt(at++);
            if (c == '\\') {
                at++;
            } else if (c == '[') {
                depth++;
            } else if (c == ']') {
                depth--;
            }
        }
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
