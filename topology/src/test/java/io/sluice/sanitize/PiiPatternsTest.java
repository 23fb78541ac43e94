package io.sluice.sanitize;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Label;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

class PiiPatternsTest {
    private static final Map<Pattern, PiiPatterns.Start> STARTS = Map.of(Iban.START, Iban.START_AT,
            PiiPatterns.DIGIT_RUN, PiiPatterns.DIGIT_START, PiiPatterns.SSN, PiiPatterns.DIGIT_START,
            PiiPatterns.SSN_BARE, PiiPatterns.DIGIT_START, PiiPatterns.IPV4, PiiPatterns.DIGIT_START,
            PhoneFinder.SHAPED, PhoneFinder.SHAPED_START);

    @Property(tries = 3000)
    @Label("trying only where a match can begin finds what find() finds, trying every position")
    void startsOnlyWhereAMatchCan(@ForAll("texts") String text) {
        STARTS.forEach((pattern, starts) -> {
            List<String> tried = new ArrayList<>();
            PiiPatterns.eachFrom(starts, pattern, text, m -> tried.add(m.start() + "-" + m.end() + " " + m.group()));
            List<String> found = new ArrayList<>();
            Matcher m = pattern.matcher(text);
            while (m.find()) {
                found.add(m.start() + "-" + m.end() + " " + m.group());
            }
            assertThat(tried).as("%s on %s", pattern, text).isEqualTo(found);
        });
    }

    @Provide
    Arbitrary<String> texts() {
        Arbitrary<String> piece = Arbitraries.oneOf(
                Arbitraries.strings().withChars("0123456789").ofMinLength(1).ofMaxLength(12),
                Arbitraries.of(" ", "-", ".", "(", ")", "+", "/", "_", ":", "x", "ext.", "a", "é", "\u0663", "\u2162",
                        "123-45-6789", "4111 1111 1111 1111", "192.168.0.1", "+44 (0) 20 7946 0958", "version ", "DE",
                        "gb82 WEST", "És12", "Ab"),
                Arbitraries.strings().withCharRange('\u0000', '\u024f').ofMaxLength(4));
        return piece.list().ofMaxSize(14).map(pieces -> String.join("", pieces));
    }
}
