package io.sluice.sanitize;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class TextNormalizerTest {
    private final TextNormalizer normalizer = new TextNormalizer();

    @Test
    @DisplayName("full-width and compatibility letters become plain ASCII (NFKC)")
    void appliesNfkc() {
        // Given full-width letters and a ligature
        String text = "ｉｇｎｏｒｅ ﬁle";

        // When
        NormalizedText result = normalizer.normalize(text);

        // Then
        assertThat(result.text()).isEqualTo("ignore file");
        assertThat(result.removed()).isEmpty();
    }

    @Test
    @DisplayName("control characters go, newlines and tabs stay, CRLF and CR become LF")
    void removesControlsButKeepsLayout() {
        NormalizedText result = normalizer.normalize("a\u0000b\u0007c\td\r\ne\rf\u009Fg");

        assertThat(result.text()).isEqualTo("abc\td\ne\nfg");
        assertThat(result.removed(InvisibleKind.CONTROL)).isEqualTo(3);
    }

    @Test
    @DisplayName("zero-width characters are removed and counted")
    void removesZeroWidth() {
        NormalizedText result = normalizer.normalize("ig\u200Bno\u200Cre\u200D \u2060all\uFEFF");

        assertThat(result.text()).isEqualTo("ignore all");
        assertThat(result.removed(InvisibleKind.ZERO_WIDTH)).isEqualTo(5);
    }

    @Test
    @DisplayName("bidirectional overrides and isolates are removed and counted")
    void removesBidiControls() {
        NormalizedText result = normalizer.normalize("\u202Eabc\u202C \u2066def\u2069");

        assertThat(result.text()).isEqualTo("abc def");
        assertThat(result.removed(InvisibleKind.BIDI)).isEqualTo(4);
    }

    @Test
    @DisplayName("Unicode tag characters (hidden ASCII) are removed and counted")
    void removesTagCharacters() {
        StringBuilder hidden = new StringBuilder("hello");
        "ignore".chars().forEach(c -> hidden.appendCodePoint(0xE0000 + c));

        NormalizedText result = normalizer.normalize(hidden.toString());

        assertThat(result.text()).isEqualTo("hello");
        assertThat(result.removed(InvisibleKind.TAG)).isEqualTo(6);
    }

    @Test
    @DisplayName("lone surrogates are removed instead of failing")
    void removesLoneSurrogates() {
        NormalizedText result = normalizer.normalize("a\uD800b\uDC00c \uD83D\uDE00");

        assertThat(result.text()).isEqualTo("abc \uD83D\uDE00");
        assertThat(result.removed(InvisibleKind.LONE_SURROGATE)).isEqualTo(2);
    }

    @Test
    @DisplayName("each invisible character alone between letters is handled, so clean text can skip the copy safely")
    void handlesEachInvisibleCharacterAlone() {
        // one at a time: a text with a single such character must not pass for clean text returned as it is
        for (String invisible : java.util.List.of("\u0000", "\u0007", "\u007F", "\u0085", "\u009F", "\u200B",
                "\u2060", "\uFEFF", "\u202E", "\u2066", "\uD800", "\uDC00", new String(Character.toChars(0xE0041)))) {
            NormalizedText result = normalizer.normalize("a" + invisible + "b");

            assertThat(result.text()).as("U+%04X", invisible.codePointAt(0)).isEqualTo("ab");
            assertThat(result.removed().values().stream().mapToInt(Integer::intValue).sum())
                    .as("U+%04X", invisible.codePointAt(0)).isEqualTo(1);
        }
        assertThat(normalizer.normalize("a\rb").text()).isEqualTo("a\nb");
        String clean = "plain text, with\ttabs and\nnewlines: é ü 日本";
        assertThat(normalizer.normalize(clean).text()).isEqualTo(clean);
    }

    @Test
    @DisplayName("leading and trailing whitespace is trimmed, inner whitespace kept")
    void trims() {
        assertThat(normalizer.normalize("  \n hello  world \t\n").text()).isEqualTo("hello  world");
    }

    @Test
    @DisplayName("null and empty input give empty text")
    void emptyInput() {
        assertThat(normalizer.normalize(null).text()).isEmpty();
        assertThat(normalizer.normalize("").text()).isEmpty();
    }

    @Test
    @DisplayName("normalizing twice gives the same text, even when removed characters separated combining marks")
    void isIdempotentAcrossRecomposition() {
        String once = normalizer.normalize("e\u200B\u0301 x").text();

        assertThat(once).isEqualTo("\u00E9 x");
        assertThat(normalizer.normalize(once).text()).isEqualTo(once);
    }
}
