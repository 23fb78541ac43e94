package io.sluice.sanitize;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The entity finders' patterns are written for speed as well as for what they find: these tests hold that the speed
 * changes no finding, on every corpus line and on texts made of the pieces addresses and organizations are made of.
 */
class EntityPatternsTest {
    /** The organization pattern as it was written out before it was built from its list of words. */
    private static final Pattern NAMED_AS_WRITTEN = Pattern.compile(
            "(?<![\\p{L}])(?:[\\p{Lu}][\\p{L}&'’.-]*\\s+){0,3}[\\p{Lu}][\\p{L}&'’.-]*,?\\s+(?:Inc\\.?|Ltd\\.?|LLC"
                    + "|L\\.L\\.C\\.|Corp\\.?|Corporation|GmbH|AG|S\\.A\\.|S\\.p\\.A\\.|B\\.V\\.|N\\.V\\.|PLC|plc|Pty"
                    + "|Group|Technologies|Consulting|Holdings|Partners|Company|Co\\.|Bank|Insurance|Labs|Systems"
                    + "|Solutions|Foundation|Associates|Enterprises|Incorporated|Industries|Ventures|Capital|Media"
                    + "|Networks|Software|Analytics)(?![\\p{L}])"
                    + "|(?<![\\p{L}])[\\p{Lu}][\\p{L}'’-]+\\s+(?:and|&)\\s+Sons(?![\\p{L}])");
    /** The phrase patterns as they were written before their guards. */
    private static final Pattern CONTEXT_AS_WRITTEN = Pattern.compile(
            "(?i)(?:\\bwork(?:s|ed|ing)?\\s+(?:for|at)|\\bemployed\\s+(?:by|at)|\\bjoined|\\bCEO\\s+of|\\bfounder\\s+of"
                    + "|\\bspent\\s+a\\s+year\\s+at|\\byear\\s+at|\\bintern(?:ed)?\\s+at|\\bthe\\s+address\\s+of"
                    + "|\\bshares\\s+of|\\bcustomer\\s+of)\\s+");
    private static final Pattern NAME_IS_AS_WRITTEN = Pattern.compile(
            "(?i)\\bname\\b[^.\\n]{0,25}?(?:\\bis|\\bwas|:|\\?)\\s+(?:\\w+:\\s+)?");
    private static final Pattern ADDRESSED_AS_WRITTEN = Pattern.compile(
            "(?:\\b(?:said|says|asked|told|Hi|Hello|Hey|Thanks)),?\\s+");
    private static final Pattern INTRODUCED_AS_WRITTEN = Pattern.compile(
            "(?i)(?:\\bnamed|\\bcalled|\\bI\\s+am|\\bI'm|\\bdear|\\bchange\\s+it\\s+to|\\bcorrect\\s+it\\s+to"
                    + "|\\bdirected\\s+by|\\bwritten\\s+by|\\bstarring|\\bassistant\\s+to|\\bsigned\\s*,"
                    + "|\\bregards\\s*,|\\bsincerely\\s*,)\\s+(?:(?:Mr|Mrs|Ms|Dr)\\.?\\s+)?");
    private static final List<String> PIECES = List.of("24", "3968", "5B", "12.", "04336", "149", "Clarke", "Bay",
            "de", "la", "Van", "der", "Imre", "Kálmán", "Pedro", "Street", "St.", "St", "Avenue", "ave.", "Ave.", "rue",
            "Rue", "u.", "út", "útja", "Út", "Hämeenkatu", "Dašická", "Straße", "str.", "Calle", "c/", "Apt", "Suite",
            "Unit", "corner of", "Corner Of", "and", "&", "P.O. Box", "PSC", "Box", "USS Mahler", "APO AP", "Fifth",
            "42nd", "Pixia", "Corp.", "Inc", "Incorporated", "Group", "Sons", "Barnett", "AG", "S.A.", "Co.", "plc",
            "the", "a", "very", "put", "us", "street", "close", "name is", "NAME:", "said", "Hi", "told", "called", "I am", "I'm",
            "Dear", "regards,", "work for", "Works at", "CEO of", "joined", "year at", "Mr.", "Laila", "Paris", "FR", "75001", "é", "ú", "Ú", "ß", "東京", "'", "’", "-");
    /** A spelling of every street-type word, some in other cases. */
    private static final List<String> TYPE_WORDS = List.of("Street", "St.", "Road", "Rd", "Lane", "Ln.", "Drive", "Dr.",
            "Boulevard", "Blvd", "Way", "Court", "Ct.", "Place", "Pl", "Square", "Sq.", "Terrace", "Parkway", "Pkwy.",
            "Highway", "Hwy", "Crescent", "Close", "Row", "Alley", "Circle", "Trail", "Route", "Mews", "Grove",
            "Gardens", "Hill", "Walk", "Park", "Weg", "Gasse", "Allee", "Platz", "Ring", "Straat", "Laan", "Plein",
            "Gracht", "Vej", "Gade", "Vei", "Gata", "Gatan", "Vägen", "Vagen", "Katu", "Tie", "Kuja", "Polku", "Aleja",
            "Ulice", "Náměstí", "Namesti", "Třída", "Trida", "Odos", "Sokak", "Caddesi", "Largo", "Ronda", "Plaza",
            "Corso", "Piazza", "Vicolo", "Quai", "Impasse", "Cours", "Travessa", "avenue", "AVENUE", "ave.", "Rue", "rue",
            "allée", "ALLEE", "chemin", "Via", "viale", "calle", "C/", "avenida", "avda.", "paseo", "Camino", "carrer",
            "rua", "praça", "Praca", "straße", "STRASSE", "str.", "utca", "U.", "útja", "Utja", "út", "UT", "ulica",
            "ul.", "Al.");
    private static final List<String> SEPARATORS = List.of(" ", " ", " ", ", ", ",", "\n", ". ", "  ", "\n> ", "");

    private static List<String> texts() {
        List<String> texts = new ArrayList<>(CorpusTexts.in(CorpusTexts.OURS));
        texts.addAll(CorpusTexts.in(CorpusTexts.SHARED));
        Random random = new Random(7);
        for (int n = 0; n < 20_000; n++) {
            StringBuilder text = new StringBuilder();
            for (int piece = random.nextInt(30); piece >= 0; piece--) {
                List<String> pieces = random.nextInt(4) == 0 ? TYPE_WORDS : PIECES;
                text.append(pieces.get(random.nextInt(pieces.size())))
                        .append(SEPARATORS.get(random.nextInt(SEPARATORS.size())));
            }
            texts.add(text.toString());
        }
        return texts;
    }

    /** Every match of {@code pattern} in {@code text}, as "start-end" in order. */
    private static List<String> matches(Pattern pattern, String text) {
        List<String> found = new ArrayList<>();
        Matcher matcher = pattern.matcher(text);
        while (matcher.find()) {
            found.add(matcher.start() + "-" + matcher.end());
        }
        return found;
    }

    @Test
    @DisplayName("the street pattern finds the same addresses with its guards as without, on every text")
    void streetGuardsChangeNoMatch() {
        Pattern guarded = AddressFinder.street(true);
        Pattern plain = AddressFinder.street(false);
        int withAddress = 0;
        for (String text : texts()) {
            List<String> expected = matches(plain, text);
            assertThat(matches(guarded, text)).as(text).isEqualTo(expected);
            withAddress += expected.isEmpty() ? 0 : 1;
        }
        assertThat(withAddress).as("texts with an address, so that the comparison compared something")
                .isGreaterThan(1_000);
    }

    /** Whether {@code pattern} can start a match with {@code c}: it matches that character or reads past it wanting more. */
    private static boolean canStart(Pattern pattern, char c) {
        Matcher matcher = pattern.matcher(String.valueOf(c));
        return matcher.lookingAt() || matcher.hitEnd();
    }

    @Test
    @DisplayName("a guard lets through every character the pattern behind it can start with")
    void guardsAdmitEveryFirstCharacter() {
        Pattern typeGuard = Pattern.compile(AddressFinder.TYPE_START + "[\\s\\S]");
        Pattern namedGuard = Pattern.compile(AddressFinder.NAMED_TYPE_START + "[\\s\\S]");
        Pattern types = Pattern.compile(AddressFinder.TYPE_WORDS);
        Pattern namedTypes = Pattern.compile("(?:" + AddressFinder.NAME_WORDS + "\\s+){0,3}" + AddressFinder.TYPE_WORDS);
        // each guarded pattern against the same pattern without its guards, as written before
        Map<Pattern, Pattern> guardedToWritten = Map.of(AddressFinder.street(true), AddressFinder.street(false),
                OrganizationFinder.NAMED, NAMED_AS_WRITTEN,
                OrganizationFinder.CONTEXT, CONTEXT_AS_WRITTEN, PersonFinder.NAME_IS, NAME_IS_AS_WRITTEN,
                PersonFinder.ADDRESSED, ADDRESSED_AS_WRITTEN, PersonFinder.INTRODUCED, INTRODUCED_AS_WRITTEN);
        int admitted = 0;
        for (char c = 0; c < Character.MAX_VALUE; c++) {
            if (canStart(types, c)) {
                assertThat(typeGuard.matcher(String.valueOf(c)).lookingAt()).as("U+%04X starts a street-type word",
                        (int) c).isTrue();
                admitted++;
            }
            if (canStart(namedTypes, c)) {
                assertThat(namedGuard.matcher(String.valueOf(c)).lookingAt()).as("U+%04X starts a street's name",
                        (int) c).isTrue();
            }
            for (Map.Entry<Pattern, Pattern> pair : guardedToWritten.entrySet()) {
                if (canStart(pair.getValue(), c)) {
                    assertThat(canStart(pair.getKey(), c)).as("U+%04X starts %s", (int) c, pair.getValue()).isTrue();
                }
            }
        }
        assertThat(admitted).isGreaterThan(20);
        assertThat(typeGuard.matcher("x").lookingAt()).as("the guard rules something out").isFalse();
    }

    @Test
    @DisplayName("the organization pattern built from its words is the one written out, and texts without one skip it")
    void organizationPatternAndItsPreCheck() {
        Pattern named = OrganizationFinder.NAMED;
        int withName = 0;
        for (String text : texts()) {
            List<String> expected = matches(NAMED_AS_WRITTEN, text);
            assertThat(matches(named, text)).as(text).isEqualTo(expected);
            if (!expected.isEmpty()) {
                assertThat(OrganizationFinder.mayBeNamed(text)).as(text).isTrue();
                withName++;
            }
        }
        assertThat(withName).isGreaterThan(1_000);
        assertThat(OrganizationFinder.mayBeNamed("Please send the contract to Laila at 24 Clarke Avenue")).isFalse();
    }

    @Test
    @DisplayName("the phrases before names and organizations find the same places with their first-letter guards")
    void phraseGuardsChangeNoMatch() {
        Map<Pattern, Pattern> guardedToWritten = Map.of(OrganizationFinder.CONTEXT, CONTEXT_AS_WRITTEN,
                PersonFinder.NAME_IS, NAME_IS_AS_WRITTEN, PersonFinder.ADDRESSED, ADDRESSED_AS_WRITTEN,
                PersonFinder.INTRODUCED, INTRODUCED_AS_WRITTEN);
        List<String> texts = texts();
        guardedToWritten.forEach((guarded, written) -> {
            int withMatch = 0;
            for (String text : texts) {
                List<String> expected = matches(written, text);
                assertThat(matches(guarded, text)).as(guarded + " on " + text).isEqualTo(expected);
                withMatch += expected.isEmpty() ? 0 : 1;
            }
            assertThat(withMatch).as(written.pattern()).isGreaterThan(500);
        });
    }
}
