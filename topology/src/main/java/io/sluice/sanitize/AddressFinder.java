package io.sluice.sanitize;

import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Street addresses by their shape: a house number with a street name and a street-type word in one of the common
 * European forms ("24 Clarke Avenue", "Rue de la Paix 12", "Hämeenkatu 5", "Kálmán Imre u. 12."), a house number,
 * street name and number as postal formats write them, post-office and military boxes; then the lines or comma
 * parts that continue an address (apartment or suite, town, region code, country with postcode) are taken with it.
 */
final class AddressFinder {
    /** Words that name a street when capitalized (as lower-case words they are too common: "a close friend"). */
    private static final String CAPITALIZED_TYPES = "Street|St\\.?|Road|Rd\\.?|Lane|Ln\\.?|Drive|Dr\\.?|Boulevard"
            + "|Blvd\\.?|Way|Court|Ct\\.?|Place|Pl\\.?|Square|Sq\\.?|Terrace|Parkway|Pkwy\\.?|Highway|Hwy\\.?|Crescent"
            + "|Close|Row|Alley|Circle|Trail|Route|Mews|Grove|Gardens|Hill|Walk|Park|Weg|Gasse|Allee|Platz|Ring|Straat"
            + "|Laan|Plein|Gracht|Vej|Gade|Vei|Gata|Gatan|V[äa]gen|Katu|Tie|Kuja|Polku|Aleja|Ulice|N[áa]m[ěe]st[íi]"
            + "|T[řr][íi]da|Odos|Sokak|Caddesi|Largo|Ronda|Plaza|Corso|Piazza|Vicolo|Quai|Impasse|Cours|Travessa";
    /** Words that name a street in any case, as French, Spanish, Italian, Portuguese and others write them. */
    private static final String ANY_CASE_TYPES = "(?i:avenue|ave\\.|rue|all[ée]e|chemin|via|viale|calle|c/|avenida"
            + "|avda\\.|paseo|camino|carrer|rua|pra[çc]a|stra(?:ß|ss)e|str\\.|utca|u\\.|[úu]tja|[úu]t|ulica|ul\\.|al\\.)";
    static final String TYPE_WORDS = "(?:" + CAPITALIZED_TYPES + "|" + ANY_CASE_TYPES + ")";
    private static final String COMPOUND_ENDINGS = "(?:katu|tie|kuja|polku|v[äa]gen|gatan|gata|vej|gade|str[æa]de"
            + "|stra(?:ß|ss)e|straat|weg|gasse|laan|utca|veien|vegen)";
    private static final String WORD = "[\\p{Lu}][\\p{L}'’.-]*";
    static final String NAME_WORDS = "(?:" + WORD + "|de|del|da|do|dos|das|di|dei|della|du|des|la|le|van|von"
            + "|der|fejedelem)";
    private static final String NUMBER = "\\d{1,5}[A-Za-z]?\\b\\.?";

    /**
     * Guards that change no match, only how soon a position fails (java.util.regex tries every branch at every
     * position, and a look-behind, a {@code \b} or a hundred street-type words cost far more than one character
     * test): the characters {@link #TYPE_WORDS} can start with (its capitalized words' first letters; its any-case
     * words' in both ASCII cases), the same with those a street's name words start with, and a digit or the first
     * letter of what follows.
     */
    static final String TYPE_START = "(?=[A-Z\u00DA\u00FAacprsuv])";
    static final String NAMED_TYPE_START = "(?=[\\p{Lu}\u00FAacdflprsuv])";
    /** A compound street name ("Hämeenkatu 5") is a run of letters followed by white space and a digit. */
    static final String COMPOUND_START = "(?=[\\p{Lu}][\\p{L}-]*\\s+\\d)";
    private static final String DIGIT = "(?=\\d)";

    private static final Pattern STREET = street(true);

    /** The street pattern; {@code guarded} false leaves the guards out (the same matches, for the tests). */
    static Pattern street(boolean guarded) {
        UnaryOperator<String> guard = g -> guarded ? g : "";
        String type = guard.apply(TYPE_START);
        String named = guard.apply(NAMED_TYPE_START);
        String compound = guard.apply(COMPOUND_START);
        String digit = guard.apply(DIGIT);
        // a house number in front of the street, as some postal formats add
        String house = "(?:" + digit + "(?<![\\p{L}\\d.,])\\d{1,5}\\s+)?";
        return Pattern.compile(
                // Rue de la Paix 12 | 541 Avenida Pedro Ulisses 888 | Kálmán Imre u. 12. | Hämeenkatu 5
                house + type + "(?<![\\p{L}])" + TYPE_WORDS + "(?:\\s+" + NAME_WORDS + "){1,4}\\s+" + NUMBER
                        + "|" + house + named + "(?<![\\p{L}])(?:" + NAME_WORDS + "\\s+){0,3}" + type + TYPE_WORDS
                        + "\\s+" + NUMBER
                        + "|" + house + compound + "(?<![\\p{L}])[\\p{Lu}][\\p{L}-]*" + COMPOUND_ENDINGS + "\\s+"
                        + NUMBER
                        // 24 Clarke Avenue | 3968 Bay St
                        + "|" + digit + "\\b" + NUMBER + "\\s+(?:" + NAME_WORDS + "\\s+){0,3}" + type + TYPE_WORDS
                        + "(?![\\p{L}])"
                        // 641 Dašická 688 (building number, street, number)
                        + "|" + digit + "(?<![\\p{L}\\d.,])\\d{1,5}\\s+(?:" + NAME_WORDS + "\\s+){0,3}" + WORD
                        + "\\s+\\d{1,5}[A-Za-z]?(?=[,\\n]|\\s+(?:Apt|Suite|Unit)|$)"
                        // at the corner of Fifth Avenue and 42nd Street
                        + "|" + guard.apply("(?<=[Ff] )")
                        + "(?<=(?i:corner of) )[^?!\\n]{3,60}?\\sand\\s[^.?!\\n,]{3,40}?(?=[.?!,\\n]\\s|[.?!,]?$)"
                        // P.O. Box 149 | PSC 6293, Box 8158 | APO AP 04336 | USS Mahler
                        + "|" + guard.apply("(?=P)") + "\\bP\\.?\\s?O\\.?\\s+Box\\s+\\d+"
                        + "|" + guard.apply("(?=[PU])") + "\\b(?:PSC|Unit)\\s+\\d+,?\\s+Box\\s+\\d+"
                        + "|" + guard.apply("(?=U)") + "\\b(?:USS|USNS|USNV|USCGC)\\s+" + WORD
                        + "(?=\\s*\\n\\s*(?:APO|FPO|DPO)\\b)"
                        + "|" + guard.apply("(?=[AFD])") + "\\b(?:APO|FPO|DPO)\\s+(?:AA|AE|AP)\\s+\\d{4,5}");
    }

    /** What may follow a street as part of the same address: a unit, a town, a region code, a country and postcode. */
    private static final Pattern CONTINUATION = Pattern.compile(
            "(?:Apt\\.?|Apartment|Suite|Unit|Flat|Box)\\s*#?\\d+[A-Za-z]?"
                    + "|(?:APO|FPO|DPO)\\s+(?:AA|AE|AP)\\s+\\d{4,5}"
                    + "|[\\p{Lu}][\\p{L}'’.-]*(?:[ -][\\p{L}'’.-]+){0,3}(?:\\s+\\d{4,6})?"
                    + "|[A-Z]{2}(?:\\s+\\d{4,6})?|\\d{4,6}",
            Pattern.UNICODE_CASE);
    /** Between an address's parts: a comma, a line break, quote marks a mail reader put in front of each line. */
    private static final Pattern SEPARATOR = Pattern.compile("[ \\t]*(?:,[ \\t]*|\\n(?:[ \\t]*(?:>|\\?\\?\\?)?[ \\t]*)?)+");
    private static final int MAX_PARTS = 5;
    private static final int MAX_PART_LENGTH = 40;

    private AddressFinder() {}

    static void find(String text, FindingSink sink) {
        if (!PiiPatterns.hasAsciiDigit(text) && !text.contains("orner of")) {
            return; // every form but a corner has a house number, a box number or a postcode
        }
        Matcher street = STREET.matcher(text);
        int from = 0;
        while (from < text.length() && street.find(from)) {
            int end = extend(text, street.end());
            sink.add(PiiType.STREET_ADDRESS, street.start(), end);
            from = end;
        }
    }

    /** The end of the address that starts with a street ending at {@code end}: its continuation parts taken in. */
    private static int extend(String text, int end) {
        Matcher separator = SEPARATOR.matcher(text);
        Matcher part = CONTINUATION.matcher(text);
        for (int parts = 0; parts < MAX_PARTS; parts++) {
            int at = end;
            if (at < text.length() && text.charAt(at) == ' ' && part.region(at + 1, text.length()).lookingAt()
                    && startsUnit(text, at + 1)) {
                end = part.end(); // "… 82 Apt. 595" on one line
                continue;
            }
            if (!separator.region(at, text.length()).lookingAt() || separator.end() == at) {
                break;
            }
            int next = separator.end();
            if (!part.region(next, text.length()).lookingAt() || part.end() - next > MAX_PART_LENGTH
                    || !endsPart(text, part.end())) {
                break;
            }
            end = part.end();
        }
        return end;
    }

    private static boolean startsUnit(String text, int at) {
        return text.startsWith("Apt", at) || text.startsWith("Suite", at) || text.startsWith("Unit", at)
                || text.startsWith("Flat", at);
    }

    /** A part ends at a separator or the end of the text, so that a sentence after a comma is not taken in. */
    private static boolean endsPart(String text, int end) {
        if (end == text.length()) {
            return true;
        }
        char c = text.charAt(end);
        boolean lastChar = end + 1 == text.length();
        return c == ',' || c == '\n' || c == '.' && (lastChar || Character.isWhitespace(text.charAt(end + 1)))
                || c == ' ' && !lastChar && text.charAt(end + 1) == '\n';
    }
}
