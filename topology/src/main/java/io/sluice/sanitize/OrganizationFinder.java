package io.sluice.sanitize;

import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Organizations by what names them as one: a legal-form or industry word after capitalized words ("Pixia Corp.",
 * "Allstate Insurance Group"), the partners' names of a firm ("Barnett, Melton and Garcia"), and capitalized words
 * after a phrase about working for, joining or leading an organization ("I work for Citigroup", "CEO of Paxata").
 */
final class OrganizationFinder {
    private static final String CAP = "[\\p{Lu}][\\p{L}&'’.-]*";
    private static final String SURNAME = "[\\p{Lu}][\\p{L}'’-]+";
    /** Words that end an organization's name as written, in the order the pattern tries them. */
    private static final List<String> FORMS = List.of("Inc", "Ltd", "LLC", "L.L.C.", "Corp", "Corporation", "GmbH",
            "AG", "S.A.", "S.p.A.", "B.V.", "N.V.", "PLC", "plc", "Pty", "Group", "Technologies", "Consulting", "Holdings",
            "Partners", "Company", "Co.", "Bank", "Insurance", "Labs", "Systems", "Solutions", "Foundation",
            "Associates", "Enterprises", "Incorporated", "Industries", "Ventures", "Capital", "Media", "Networks",
            "Software", "Analytics");
    /** Of {@link #FORMS}, those that may end with a dot. */
    private static final Set<String> DOTTED = Set.of("Inc", "Ltd", "Corp");
    private static final String SONS = "Sons";
    static final Pattern NAMED = Pattern.compile(
            "(?<![\\p{L}])(?:" + CAP + "\\s+){0,3}" + CAP + ",?\\s+(?:"
                    + FORMS.stream().map(f -> Pattern.quote(f) + (DOTTED.contains(f) ? "\\.?" : ""))
                            .collect(Collectors.joining("|"))
                    + ")(?![\\p{L}])"
                    + "|(?<![\\p{L}])" + SURNAME + "\\s+(?:and|&)\\s+" + SONS + "(?![\\p{L}])");
    /** Barnett, Melton and Garcia: a firm named for its partners, surnames all. */
    private static final Pattern PARTNERS = Pattern.compile("(?<![\\p{L}])(" + SURNAME + "),\\s+(" + SURNAME
            + "),?\\s+(?:and|&)\\s+(" + SURNAME + ")(?![\\p{L}])");
    /** The first letter test is a guard: it changes no match, and spares most places the eleven phrases. */
    static final Pattern CONTEXT = Pattern.compile(
            "(?i)(?=[wejcfsyit])(?:\\bwork(?:s|ed|ing)?\\s+(?:for|at)|\\bemployed\\s+(?:by|at)|\\bjoined|\\bCEO\\s+of"
                    + "|\\bfounder\\s+of"
                    + "|\\bspent\\s+a\\s+year\\s+at|\\byear\\s+at|\\bintern(?:ed)?\\s+at|\\bthe\\s+address\\s+of"
                    + "|\\bshares\\s+of|\\bcustomer\\s+of)\\s+");
    private static final Pattern CAPITALIZED = Pattern.compile("(?:" + CAP + ")(?:\\s+" + CAP + "){0,3}");

    private final NameGazetteer names;

    OrganizationFinder(NameGazetteer names) {
        this.names = names;
    }

    void find(String text, FindingSink sink) {
        if (mayBeNamed(text)) {
            Matcher named = NAMED.matcher(text);
            while (named.find()) {
                sink.add(PiiType.ORGANIZATION, named.start(), named.end());
            }
        }
        Matcher partners = PARTNERS.matcher(text);
        while (partners.find()) {
            // "James, Emily and Michael" are people, not a firm
            if (names.given(partners.group(1)) == NameGazetteer.Kind.NONE
                    && names.given(partners.group(2)) == NameGazetteer.Kind.NONE
                    && names.given(partners.group(3)) == NameGazetteer.Kind.NONE) {
                sink.add(PiiType.ORGANIZATION, partners.start(), partners.end());
            }
        }
        Matcher context = CONTEXT.matcher(text);
        Matcher words = CAPITALIZED.matcher(text);
        while (context.find()) {
            if (words.region(context.end(), text.length()).lookingAt()) {
                sink.add(PiiType.ORGANIZATION, words.start(), words.end());
            }
        }
    }

    /**
     * Whether {@code text} holds one of the words {@link #NAMED} must end with, as written (the pattern is case
     * sensitive): a few string searches that spare most texts the pattern's scan, which tries up to four capitalized
     * words at every one.
     */
    static boolean mayBeNamed(String text) {
        for (String form : FORMS) {
            if (text.contains(form)) {
                return true;
            }
        }
        return text.contains(SONS);
    }
}
