package io.sluice.sanitize;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** E-mail addresses, card numbers, US social security numbers and IP addresses: a shape plus a validity check. */
final class PiiPatterns {
    private static final Pattern EMAIL = Pattern.compile(
            "(?<![\\p{L}\\p{N}._%+-])[\\p{L}\\p{N}._%+-]+@(?:[\\p{L}\\p{N}](?:[\\p{L}\\p{N}-]*[\\p{L}\\p{N}])?\\.){1,10}\\p{L}{2,}(?![\\p{L}\\p{N}-])");
    // A run of digit groups separated by one space or dash; cards are looked for among its consecutive groups.
    static final Pattern DIGIT_RUN = Pattern.compile("(?<![\\p{L}\\p{N}_-])\\d+(?:[ -]\\d+){0,24}(?![\\p{L}\\p{N}_])");
    // Maestro is the one network issuing 12-digit numbers (IIN 50, 56-69).
    private static final Pattern DIGITS = Pattern.compile("\\d+");
    private static final Pattern MAESTRO = Pattern.compile("5[06-9]|6");
    static final Pattern SSN = Pattern.compile("(?<![\\p{L}\\p{N}_-])(\\d{3})([- ])(\\d{2})\\2(\\d{4})(?![\\p{L}\\p{N}_]|-\\d)");
    static final Pattern SSN_BARE = Pattern.compile("(?<![\\p{L}\\p{N}_-])(\\d{3})(\\d{2})(\\d{4})(?![\\p{L}\\p{N}_]|-\\d)");
    // An unformatted nine-digit number is usually an order or account number; only take it when it is called an SSN.
    private static final Pattern SSN_CONTEXT = Pattern.compile(
            "(?i)(?:ssn|social security(?: number| no\\.?)?|ss#)\\s*(?:is|was|:|=|#)?\\s*$");
    private static final String OCTET = "(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)";
    static final Pattern IPV4 = Pattern.compile(
            "(?<![\\p{L}\\p{N}_.])" + OCTET + "(?:\\." + OCTET + "){3}(?![\\p{L}\\p{N}_]|\\.\\d)");
    // "version 10.0.0.1" is a release, not a host.
    private static final Pattern VERSION_CONTEXT = Pattern.compile("(?i)(?:version|ver\\.?|release|build|v)\\s*$");
    private static final Pattern IPV6 = Pattern.compile(
            "(?<![\\p{L}\\p{N}_:.])(?:[0-9A-Fa-f]{0,4}:){2,7}(?:[0-9A-Fa-f]{1,4}|" + OCTET + "(?:\\." + OCTET + "){3})?(?![\\p{L}\\p{N}_:])");

    private PiiPatterns() {}

    /**
     * Each pattern runs only on a text holding what it cannot match without ('@', an ASCII digit, two close ':'):
     * their leading look-behinds make java.util.regex test every position, and most prompts have none of these.
     */
    static void find(String text, FindingSink sink) {
        if (text.indexOf('@') >= 0) {
            each(EMAIL, text, m -> sink.add(PiiType.EMAIL_ADDRESS, m.start(), m.end()));
        }
        if (hasCloseColons(text)) {
            each(IPV6, text, m -> {
                if (isIpv6(m.group())) {
                    sink.add(PiiType.IP_ADDRESS, m.start(), m.end());
                }
            });
        }
        if (!hasAsciiDigit(text)) {
            return;
        }
        eachFrom(DIGIT_START, DIGIT_RUN, text, m -> cards(m.group(), m.start(), sink));
        eachFrom(DIGIT_START, SSN, text, m -> {
            if (Checksums.ssn(m.group(1), m.group(3), m.group(4))) {
                sink.add(PiiType.US_SSN, m.start(), m.end());
            }
        });
        eachFrom(DIGIT_START, SSN_BARE, text, m -> {
            if (Checksums.ssn(m.group(1), m.group(2), m.group(3)) && before(text, m.start(), SSN_CONTEXT)) {
                sink.add(PiiType.US_SSN, m.start(), m.end());
            }
        });
        eachFrom(DIGIT_START, IPV4, text, m -> {
            if (!before(text, m.start(), VERSION_CONTEXT)) {
                sink.add(PiiType.IP_ADDRESS, m.start(), m.end());
            }
        });
    }

    /** Whether two ':' are at most five characters apart, as IPV6's first groups need ("ab12:cd34:"). */
    static boolean hasCloseColons(String text) {
        int last = -10;
        for (int i = text.indexOf(':'); i >= 0; i = text.indexOf(':', i + 1)) {
            if (i - last <= 5) {
                return true;
            }
            last = i;
        }
        return false;
    }

    /** Whether {@code text} holds a 0-9, which {@code \d} stands for in these patterns. */
    static boolean hasAsciiDigit(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c >= '0' && c <= '9') {
                return true;
            }
        }
        return false;
    }

    /** Whether {@code text} holds a digit of any script, as libphonenumber reads them. */
    static boolean hasDigit(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (Character.isDigit(text.charAt(i))) {
                return true;
            }
        }
        return false;
    }

    /**
     * Finds cards among the consecutive groups of a digit run, longest first from each group, so that a card followed
     * by another number ("4111 1111 1111 1111 123-45-6789") is still found.
     */
    private static void cards(String run, int offset, FindingSink sink) {
        List<int[]> groups = new ArrayList<>();
        Matcher g = DIGITS.matcher(run);
        while (g.find()) {
            groups.add(new int[] {g.start(), g.end()});
        }
        int first = 0;
        while (first < groups.size()) {
            int found = -1;
            for (int last = Math.min(groups.size() - 1, first + 18); last >= first && found < 0; last--) {
                String candidate = run.substring(groups.get(first)[0], groups.get(last)[1]);
                if (isCard(candidate)) {
                    sink.add(PiiType.CREDIT_CARD, offset + groups.get(first)[0], offset + groups.get(last)[1]);
                    found = last;
                }
            }
            first = found < 0 ? first + 1 : found + 1;
        }
    }

    /**
     * Card numbers have 13-19 digits (12 for Maestro), start with 1-6 (no network issues 0, and 7-9 are fleet and national schemes rarely seen), pass Luhn,
     * and when grouped use one separator in groups of at least four digits, so that phone numbers do not pass.
     */
    static boolean isCard(String candidate) {
        String digits = candidate.replaceAll("[ -]", "");
        if (digits.length() < 12 || digits.length() > 19 || digits.charAt(0) < '1' || digits.charAt(0) > '6') {
            return false;
        }
        if (digits.length() == 12 && !MAESTRO.matcher(digits).lookingAt()) {
            return false;
        }
        if (digits.length() != candidate.length()) {
            boolean spaces = candidate.indexOf(' ') >= 0;
            boolean dashes = candidate.indexOf('-') >= 0;
            if (spaces && dashes) {
                return false;
            }
            for (String group : candidate.split("[ -]")) {
                if (group.length() < 4) {
                    return false;
                }
            }
        }
        return Checksums.luhn(digits);
    }

    /** Eight groups of 1-4 hex digits (the last two may be a dotted IPv4), or fewer with one "::". */
    static boolean isIpv6(String candidate) {
        int gap = candidate.indexOf("::");
        if (gap >= 0 && candidate.indexOf("::", gap + 1) >= 0) {
            return false;
        }
        String[] groups = candidate.split(":", -1);
        int count = 0;
        int nonEmpty = 0;
        for (int i = 0; i < groups.length; i++) {
            String g = groups[i];
            if (g.isEmpty()) {
                continue;
            }
            if (g.indexOf('.') >= 0) {
                if (i != groups.length - 1) {
                    return false;
                }
                count += 2;
            } else if (g.length() <= 4) {
                count++;
            } else {
                return false;
            }
            nonEmpty++;
        }
        if (gap < 0) {
            return count == 8 && nonEmpty == groups.length;
        }
        boolean leadingOk = !candidate.startsWith(":") || candidate.startsWith("::");
        boolean trailingOk = !candidate.endsWith(":") || candidate.endsWith("::");
        // Require two real groups and a few hex digits so that "::" or "a::b" in code is not an address.
        long hexDigits = candidate.chars().filter(c -> Character.digit(c, 16) >= 0).count();
        return count < 8 && nonEmpty >= 2 && hexDigits >= 4 && leadingOk && trailingOk;
    }

    static boolean before(String text, int start, Pattern context) {
        int from = Math.max(0, start - 40);
        return context.matcher(text.substring(from, start)).find();
    }

    private static void each(Pattern pattern, String text, java.util.function.Consumer<Matcher> action) {
        Matcher m = pattern.matcher(text);
        while (m.find()) {
            action.accept(m);
        }
    }

    /** Where the digit patterns' matches begin: an ASCII digit after none (their look-behinds refuse one). */
    static final Start DIGIT_START = new Start("0123456789", false);

    /**
     * Where a pattern's match may begin: at one of some ASCII characters, after no digit, or for a word after no
     * letter or digit, which the pattern's own look-behind refuses. One class, so that the scan's call of
     * {@link #at} is compiled in place whichever pattern it serves.
     */
    static final class Start {
        private final boolean[] first = new boolean[128];
        private final boolean word;

        Start(String chars, boolean word) {
            chars.chars().forEach(c -> first[c] = true);
            this.word = word;
        }

        boolean at(String text, int i) {
            char c = text.charAt(i);
            if (c >= first.length || !first[c]) {
                return false;
            }
            if (i == 0) {
                return true;
            }
            char before = text.charAt(i - 1);
            return word ? !Character.isLetterOrDigit(before) : !Character.isDigit(before);
        }
    }

    static boolean isAsciiDigit(char c) {
        return c >= '0' && c <= '9';
    }

    /**
     * The matches {@link #each} finds, for a pattern whose every match begins where {@code start} says one may: only
     * those positions are tried ({@code find} would try each position of the text, its look-behind first). Left to
     * right, each try where the last match ended or later, as {@code find} goes.
     */
    static void eachFrom(Start start, Pattern pattern, String text, java.util.function.Consumer<Matcher> action) {
        Matcher m = pattern.matcher(text).useTransparentBounds(true).useAnchoringBounds(false);
        int length = text.length();
        int i = 0;
        while (i < length) {
            if (!start.at(text, i)) {
                i++;
                continue;
            }
            m.region(i, length);
            if (m.lookingAt()) {
                action.accept(m);
                i = Math.max(m.end(), i + 1);
            } else {
                i++;
            }
        }
    }
}
