package io.sluice.app;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiPredicate;

/**
 * The parts of an alert expression that must return series for the alert to be able to fire: for {@code a > 1 and
 * b > 3 * c}, {@code a} and {@code b}. The expression is split at its top-level {@code and}s, and each part cut at
 * its first top-level comparison; parentheses, label matchers, ranges and strings are not looked into.
 */
final class LeftHandSides {
    private LeftHandSides() {}

    static List<String> of(String expr) {
        List<String> sides = new ArrayList<>();
        int start = 0;
        for (int and : topLevel(expr, LeftHandSides::isAnd)) {
            sides.add(beforeComparison(expr.substring(start, and)));
            start = and + 3;
        }
        sides.add(beforeComparison(expr.substring(start)));
        return sides;
    }

    private static String beforeComparison(String operand) {
        List<Integer> comparisons = topLevel(operand, (s, i) -> s.charAt(i) == '>' || s.charAt(i) == '<'
                || s.startsWith("==", i) || s.startsWith("!=", i));
        return (comparisons.isEmpty() ? operand : operand.substring(0, comparisons.getFirst())).strip();
    }

    /** Where {@code at} holds in {@code expr} outside brackets and strings. */
    private static List<Integer> topLevel(String expr, BiPredicate<String, Integer> at) {
        List<Integer> found = new ArrayList<>();
        int depth = 0;
        for (int i = 0; i < expr.length(); i++) {
            char c = expr.charAt(i);
            if (c == '"') {
                i = expr.indexOf('"', i + 1);
            } else if (c == '(' || c == '{' || c == '[') {
                depth++;
            } else if (c == ')' || c == '}' || c == ']') {
                depth--;
            } else if (depth == 0 && at.test(expr, i)) {
                found.add(i);
            }
        }
        return found;
    }

    private static boolean isAnd(String s, int i) {
        return s.startsWith("and", i) && isWordBoundary(s, i - 1) && isWordBoundary(s, i + 3);
    }

    private static boolean isWordBoundary(String s, int i) {
        return i < 0 || i >= s.length() || !Character.isLetterOrDigit(s.charAt(i)) && s.charAt(i) != '_'
                && s.charAt(i) != ':';
    }
}
