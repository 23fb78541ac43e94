package io.sluice.sanitize;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Finds IBANs written compactly or in groups of four. The ISO 13616 registry fixes each country's length, which says
 * exactly where an IBAN ends even when upper-case words follow it; the mod-97 check then rejects typos and look-alikes.
 */
final class Iban {
    static final Pattern START = Pattern.compile("(?<![\\p{L}\\p{N}])[A-Za-z]{2}\\d{2}(?= ?[A-Za-z0-9])");

    /** Lengths from the SWIFT IBAN registry. */
    private static final Map<String, Integer> LENGTHS = Map.ofEntries(
            Map.entry("AD", 24), Map.entry("AE", 23), Map.entry("AL", 28), Map.entry("AT", 20), Map.entry("AZ", 28),
            Map.entry("BA", 20), Map.entry("BE", 16), Map.entry("BG", 22), Map.entry("BH", 22), Map.entry("BI", 27),
            Map.entry("BR", 29), Map.entry("BY", 28), Map.entry("CH", 21), Map.entry("CR", 22), Map.entry("CY", 28),
            Map.entry("CZ", 24), Map.entry("DE", 22), Map.entry("DJ", 27), Map.entry("DK", 18), Map.entry("DO", 28),
            Map.entry("EE", 20), Map.entry("EG", 29), Map.entry("ES", 24), Map.entry("FI", 18), Map.entry("FK", 18),
            Map.entry("FO", 18), Map.entry("FR", 27), Map.entry("GB", 22), Map.entry("GE", 22), Map.entry("GI", 23),
            Map.entry("GL", 18), Map.entry("GR", 27), Map.entry("GT", 28), Map.entry("HR", 21), Map.entry("HU", 28),
            Map.entry("IE", 22), Map.entry("IL", 23), Map.entry("IQ", 23), Map.entry("IS", 26), Map.entry("IT", 27),
            Map.entry("JO", 30), Map.entry("KW", 30), Map.entry("KZ", 20), Map.entry("LB", 28), Map.entry("LC", 32),
            Map.entry("LI", 21), Map.entry("LT", 20), Map.entry("LU", 20), Map.entry("LV", 21), Map.entry("LY", 25),
            Map.entry("MC", 27), Map.entry("MD", 24), Map.entry("ME", 22), Map.entry("MK", 19), Map.entry("MN", 20),
            Map.entry("MR", 27), Map.entry("MT", 31), Map.entry("MU", 30), Map.entry("NI", 28), Map.entry("NL", 18),
            Map.entry("NO", 15), Map.entry("OM", 23), Map.entry("PK", 24), Map.entry("PL", 28), Map.entry("PS", 29),
            Map.entry("PT", 25), Map.entry("QA", 29), Map.entry("RO", 24), Map.entry("RS", 22), Map.entry("RU", 33),
            Map.entry("SA", 24), Map.entry("SC", 31), Map.entry("SD", 18), Map.entry("SE", 24), Map.entry("SI", 19),
            Map.entry("SK", 24), Map.entry("SM", 27), Map.entry("SO", 23), Map.entry("ST", 25), Map.entry("SV", 28),
            Map.entry("TL", 23), Map.entry("TN", 24), Map.entry("TR", 26), Map.entry("UA", 29), Map.entry("VA", 22),
            Map.entry("VG", 24), Map.entry("XK", 20), Map.entry("YE", 30));

    private Iban() {}

    static void find(String text, FindingSink sink) {
        if (!PiiPatterns.hasAsciiDigit(text)) {
            return; // START needs two: a scan for one is much cheaper than its look-behind at every position
        }
        PiiPatterns.eachFrom(START_AT, START, text, m -> {
            Integer length = LENGTHS.get(m.group().substring(0, 2).toUpperCase(Locale.ROOT));
            if (length != null) {
                end(text, m.start(), length).ifPresent(end -> sink.add(PiiType.IBAN_CODE, m.start(), end));
            }
        });
    }

    /** Where {@link #START} may match: an ASCII letter at a word's start. */
    static final PiiPatterns.Start START_AT = new PiiPatterns.Start(
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", true);

    /** Where the IBAN starting at {@code start} ends, if its {@code length} characters are there and check out. */
    private static Optional<Integer> end(String text, int start, int length) {
        StringBuilder compact = new StringBuilder(length);
        int i = start;
        while (i < text.length() && compact.length() < length) {
            char c = text.charAt(i);
            if (c == ' ' && i + 1 < text.length() && isAlnum(text.charAt(i + 1)) && compact.length() >= 4) {
                i++;
                continue;
            }
            if (!isAlnum(c)) {
                return Optional.empty();
            }
            compact.append(Character.toUpperCase(c));
            i++;
        }
        if (compact.length() < length || (i < text.length() && isAlnum(text.charAt(i)))) {
            return Optional.empty();
        }
        return Checksums.iban(compact.toString()) ? Optional.of(i) : Optional.empty();
    }

    private static boolean isAlnum(char c) {
        return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
    }
}
