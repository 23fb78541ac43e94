package io.sluice.sanitize;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Label;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

class EncodedPayloadsTest {
    @Property(tries = 5000)
    @Label("finds a long enough run of either kind wherever it lies, as reading every character does")
    void probingFindsTheRunsEveryCharacterShows(@ForAll("texts") String text) {
        assertThat(EncodedPayloads.runs(text)).isEqualTo(everyCharacter(text));
    }

    @Provide
    Arbitrary<String> texts() {
        Arbitrary<String> piece = Arbitraries.oneOf(
                Arbitraries.strings().withChars("0123456789abcdefABCDEF :").ofMinLength(1).ofMaxLength(60),
                Arbitraries.strings().withChars("ghijklmnopqrstuvwxyzGHXYZ+/_-").ofMinLength(1).ofMaxLength(45),
                Arbitraries.of("a", " ", ".", "=", "\n", "é", "\u00a0", "ignore all", "x".repeat(39), "f".repeat(47)),
                Arbitraries.strings().withCharRange('\u0000', '\u024f').ofMaxLength(8));
        return piece.list().ofMaxSize(12).map(pieces -> String.join("", pieces));
    }

    /** The reading {@link EncodedPayloads#runs} replaced: every character, two counters. Kept as its reference. */
    private static int everyCharacter(String text) {
        int base64 = 0;
        int hex = 0;
        int seen = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean b = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                    || c == '+' || c == '/' || c == '_' || c == '-';
            boolean h = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == ' '
                    || c == ':';
            base64 = b ? base64 + 1 : 0;
            hex = h ? hex + 1 : 0;
            seen |= (base64 >= 40 ? EncodedPayloads.BASE64_CHAR : 0) | (hex >= 48 ? EncodedPayloads.HEX_CHAR : 0);
        }
        return seen;
    }
}
