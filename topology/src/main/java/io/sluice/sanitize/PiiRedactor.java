package io.sluice.sanitize;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Finds personal data and credentials in a prompt and replaces each with a typed placeholder such as
 * {@code [EMAIL_ADDRESS]}. Rule-based: it catches what has a recognisable shape and a check (see {@link PiiType});
 * names, street addresses and organizations come from the {@link Finder} a policy adds ({@link EntityFinder}).
 *
 * <p>Overlapping candidates are resolved deterministically: the more specific type wins (a checksum or a vendor prefix
 * beats a phone-shaped run of digits), then the longer span, then the earlier one. Placeholders contain no digits and
 * nothing any rule matches, and {@link #redact} runs to a fixed point, so redacting a redacted text changes nothing.
 */
final class PiiRedactor {
    private static final Comparator<PiiFinding> PRECEDENCE = Comparator
            .comparingInt((PiiFinding f) -> f.type().specificity()).reversed()
            .thenComparing(Comparator.comparingInt(PiiFinding::length).reversed())
            .thenComparingInt(PiiFinding::start);

    /** Redaction normally settles in one or two rounds; the bound only guards against a pathological text. */
    private static final int MAX_ROUNDS = 32;

    private final PhoneFinder phones;

    /** A redactor placing national phone numbers without a country code in the US. */
    public PiiRedactor() {
        this("US");
    }

    /** @param defaultRegion ISO 3166 region for national phone numbers, e.g. "US" or "GB" */
    public PiiRedactor(String defaultRegion) {
        this.phones = new PhoneFinder(defaultRegion);
    }

    /** Finds more candidates in a text, beside the pattern finders: the name-like entities a policy asks for. */
    @FunctionalInterface
    interface Finder {
        Finder NONE = (text, sink) -> { };

        void find(String text, FindingSink sink);
    }

    /** The findings in {@code text}, non-overlapping, in text order; offsets are UTF-16 indexes into {@code text}. */
    public List<PiiFinding> find(String text) {
        return redact(text).findings();
    }

    /** As {@link #find(String)}, with {@code more} finders' candidates too. */
    List<PiiFinding> find(String text, Finder more) {
        return redact(text, more).findings();
    }

    /** As {@link #redact(String, Finder)} with the pattern finders alone. */
    public Redaction redact(String text) {
        return redact(text, Finder.NONE);
    }

    /**
     * Replaces every finding with its placeholder. Detection depends on a value's neighbours (a card glued to a word
     * is not taken), and replacing one finding changes its neighbours' context, so redaction repeats on its own output
     * until nothing more is found; each value found is also redacted wherever else it occurs. That makes redaction
     * idempotent and leaves no found value in the text. Findings from later rounds are mapped back to the original
     * text, absorbing the earlier findings they cover.
     */
    Redaction redact(String text, Finder more) {
        if (text == null || text.isEmpty()) {
            return new Redaction(text == null ? "" : text, List.of());
        }
        String current = text;
        // For each char of the current text, the original span it stands for; null while the current text is the
        // original (each char its own span), so that a text with nothing to redact costs no copy of its length.
        int[] from = null;
        int[] to = null;
        TreeMap<Integer, PiiFinding> all = new TreeMap<>();
        Map<String, PiiType> values = new java.util.LinkedHashMap<>();
        for (int round = 0; ; round++) {
            List<PiiFinding> found = detect(current, values, more);
            if (found.isEmpty()) {
                break;
            }
            if (round == MAX_ROUNDS) {
                // Each round can expose a value the previous one hid (a card right after a replaced e-mail). A text
                // that keeps doing so is built to; the Sanitizer fails closed on it rather than pass it half-redacted.
                throw new IllegalStateException("PII redactor: text still changing after " + MAX_ROUNDS + " rounds");
            }
            StringBuilder next = new StringBuilder(current.length());
            int[] nextFrom = new int[current.length() + found.size() * 32];
            int[] nextTo = new int[nextFrom.length];
            int at = 0;
            for (PiiFinding f : found) {
                values.putIfAbsent(current.substring(f.start(), f.end()), f.type());
                PiiFinding original = new PiiFinding(f.type(), from == null ? f.start() : from[f.start()],
                        to == null ? f.end() : to[f.end() - 1]);
                all.subMap(original.start(), true, original.end(), false).values().removeIf(k -> k.end() <= original.end());
                all.put(original.start(), original);
                for (int i = at; i < f.start(); i++) {
                    nextFrom[next.length()] = from == null ? i : from[i];
                    nextTo[next.length()] = to == null ? i + 1 : to[i];
                    next.append(current.charAt(i));
                }
                String placeholder = f.type().placeholder();
                for (int i = 0; i < placeholder.length(); i++) {
                    nextFrom[next.length()] = original.start();
                    nextTo[next.length()] = original.end();
                    next.append(placeholder.charAt(i));
                }
                at = f.end();
            }
            for (int i = at; i < current.length(); i++) {
                nextFrom[next.length()] = from == null ? i : from[i];
                nextTo[next.length()] = to == null ? i + 1 : to[i];
                next.append(current.charAt(i));
            }
            current = next.toString();
            from = nextFrom;
            to = nextTo;
        }
        return new Redaction(current, List.copyOf(all.values()));
    }

    private static boolean wholeWord(String text, int start, int end) {
        return (start == 0 || !Character.isLetterOrDigit(text.charAt(start - 1)))
                && (end == text.length() || !Character.isLetterOrDigit(text.charAt(end)));
    }

    /** One round: every finder's candidates, plus repeats of values already found, resolved to non-overlapping spans. */
    private List<PiiFinding> detect(String text, Map<String, PiiType> values, Finder more) {
        List<PiiFinding> candidates = new ArrayList<>();
        FindingSink sink = (type, start, end) -> candidates.add(new PiiFinding(type, start, end));
        SecretPatterns.find(text, sink);
        Iban.find(text, sink);
        PiiPatterns.find(text, sink);
        phones.find(text, sink);
        more.find(text, sink);
        values.forEach((value, type) -> {
            for (int i = text.indexOf(value); i >= 0; i = text.indexOf(value, i + 1)) {
                // a name found once is taken again as a whole word only: "Ann" is not in "Announcement"
                if (!PiiType.ENTITIES.contains(type) || wholeWord(text, i, i + value.length())) {
                    sink.add(type, i, i + value.length());
                }
            }
        });

        candidates.sort(PRECEDENCE);
        // Kept findings never overlap, so the one starting last before a candidate's end is the only one to check.
        TreeMap<Integer, PiiFinding> kept = new TreeMap<>();
        for (PiiFinding candidate : candidates) {
            Map.Entry<Integer, PiiFinding> before = kept.lowerEntry(candidate.end());
            if (before == null || before.getValue().end() <= candidate.start()) {
                kept.put(candidate.start(), candidate);
            }
        }
        return List.copyOf(kept.values());
    }
}
