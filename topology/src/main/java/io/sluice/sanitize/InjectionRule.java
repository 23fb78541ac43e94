package io.sluice.sanitize;

import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * One heuristic of {@link InjectionDetector}: a name that appears in verdicts and logs, the attack family it belongs
 * to, and the weight it adds to the score when it fires. A rule fires at most once per text, so a long prompt cannot
 * reach the threshold by repeating one phrase. Its {@link LiteralFilter}, read from its pattern, lets the detector skip
 * a rule whose literals a text does not hold: only a speed-up, since such a text cannot match.
 */
record InjectionRule(String name, String family, double weight, LiteralFilter literals,
                            Predicate<NormalizedText> test) {

    public InjectionRule {
        java.util.Objects.requireNonNull(literals, "literals");
    }

    /** A rule with its own test and no literal pre-check. */
    public InjectionRule(String name, String family, double weight, Predicate<NormalizedText> test) {
        this(name, family, weight, LiteralFilter.ANY, test);
    }

    /** A rule that fires when {@code regex} (case-insensitive, multi-line) is found in the normalized text. */
    static InjectionRule pattern(String name, String family, double weight, String regex) {
        Pattern pattern = Pattern.compile(regex, Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE | Pattern.MULTILINE);
        return new InjectionRule(name, family, weight, LiteralFilter.of(regex),
                text -> pattern.matcher(text.text()).find());
    }

    /** Like {@link #pattern} but case-sensitive, for markers whose capitals are the signal (DAN, not Dan). */
    static InjectionRule exact(String name, String family, double weight, String regex) {
        Pattern pattern = Pattern.compile(regex, Pattern.MULTILINE);
        // folded literals are a weaker pre-check for a case-sensitive pattern, but still a necessary one
        return new InjectionRule(name, family, weight, LiteralFilter.of(regex),
                text -> pattern.matcher(text.text()).find());
    }

    /** A rule that fires when {@code regex} occurs at least {@code times} times: one such phrase is ordinary, many are not. */
    static InjectionRule count(String name, String family, double weight, int times, String regex) {
        Pattern pattern = Pattern.compile(regex, Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE | Pattern.MULTILINE);
        return new InjectionRule(name, family, weight, LiteralFilter.of(regex),
                text -> pattern.matcher(text.text()).results().limit(times).count() >= times);
    }
}
