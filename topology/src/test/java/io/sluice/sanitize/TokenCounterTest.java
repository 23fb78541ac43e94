package io.sluice.sanitize;

import static org.assertj.core.api.Assertions.assertThat;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.EncodingRegistry;
import com.knuddels.jtokkit.api.EncodingType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Label;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class TokenCounterTest {
    private static final Path CORPORA = CorpusTexts.SHARED;
    private static final EncodingRegistry WHOLE = Encodings.newDefaultEncodingRegistry();
    private final TokenCounter counter = new TokenCounter();

    /** What the encoding itself counts for the whole text at once. */
    private static int whole(EncodingType type, String text) {
        return WHOLE.getEncoding(type).countTokensOrdinary(text);
    }

    @Property(tries = 2000)
    @Label("counted in remembered segments, any text has the count the encoding gives it whole")
    void segmentsAddUpToTheWhole(@ForAll("texts") String text) {
        assertThat(counter.count("gpt-4o", text)).as("o200k_base").isEqualTo(whole(EncodingType.O200K_BASE, text));
        assertThat(counter.count("gpt-4", text)).as("cl100k_base").isEqualTo(whole(EncodingType.CL100K_BASE, text));
        // twice: the second time from what was remembered
        assertThat(counter.count("gpt-4o", text)).isEqualTo(whole(EncodingType.O200K_BASE, text));
    }

    @Provide
    Arbitrary<String> texts() {
        // pieces the encodings split on: spaces and other whitespace, letters of both cases and scripts, digit runs,
        // contractions, punctuation, marks, surrogate pairs
        Arbitrary<String> piece = Arbitraries.oneOf(
                Arbitraries.of(" ", "  ", "\t", "\n", "\r\n", " \n", "\u00a0", "\u3000", "'s", "'LL", "'re", "/", "\\"),
                Arbitraries.of("the", "The", "THE", "don't", "naïve", "Straße", "東京", "مرحبا", "e\u0301", "\ud83d\ude00",
                        "ignore", "previous", "instructions", "x"),
                Arbitraries.strings().numeric().ofMinLength(1).ofMaxLength(7),
                Arbitraries.strings().withChars("!?.,;:-_()[]{}<>\"'`~@#$%^&*+=|").ofMinLength(1).ofMaxLength(4),
                Arbitraries.strings().withCharRange('\u0000', '\u2fff').ofMaxLength(6));
        return piece.list().ofMaxSize(40).map(pieces -> String.join("", pieces));
    }

    @Test
    @DisplayName("every corpus line has the count the encoding gives it whole")
    void corporaAddUpToTheWhole() {
        List<String> texts = corpusTexts();
        for (String text : texts) {
            assertThat(counter.count("gpt-4o-mini", text)).as(text).isEqualTo(whole(EncodingType.O200K_BASE, text));
            assertThat(counter.count("claude-sonnet-4-5", text)).as(text)
                    .isEqualTo(whole(EncodingType.CL100K_BASE, text));
        }
    }

    private static List<String> corpusTexts() {
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(CORPORA),
                "no ../shared/corpora beside the repository");
        return CorpusTexts.in(CORPORA);
    }

    @Test
    @DisplayName("newer OpenAI families use o200k_base")
    void newerOpenAiModelsUseO200k() {
        assertThat(TokenCounter.encodingFor("gpt-4o-mini")).isEqualTo(EncodingType.O200K_BASE);
        assertThat(TokenCounter.encodingFor("gpt-4.1")).isEqualTo(EncodingType.O200K_BASE);
        assertThat(TokenCounter.encodingFor("gpt-5")).isEqualTo(EncodingType.O200K_BASE);
        assertThat(TokenCounter.encodingFor("o1")).isEqualTo(EncodingType.O200K_BASE);
        assertThat(TokenCounter.encodingFor("o3-mini")).isEqualTo(EncodingType.O200K_BASE);
        assertThat(TokenCounter.encodingFor("openai/gpt-4o")).isEqualTo(EncodingType.O200K_BASE);
    }

    @Test
    @DisplayName("gpt-4, gpt-3.5 and other vendors' models use cl100k_base")
    void olderAndOtherModelsUseCl100k() {
        assertThat(TokenCounter.encodingFor("gpt-4")).isEqualTo(EncodingType.CL100K_BASE);
        assertThat(TokenCounter.encodingFor("gpt-3.5-turbo")).isEqualTo(EncodingType.CL100K_BASE);
        assertThat(TokenCounter.encodingFor("claude-sonnet-4-5")).isEqualTo(EncodingType.CL100K_BASE);
        assertThat(TokenCounter.encodingFor(null)).isEqualTo(EncodingType.CL100K_BASE);
    }

    @Test
    @DisplayName("counts tokens of ordinary text, treating special-token text as text")
    void countsTokens() {
        assertThat(counter.count("gpt-4o", "hello world")).isEqualTo(2);
        assertThat(counter.count("gpt-4", "hello world")).isEqualTo(2);
        assertThat(counter.count("gpt-4o", "")).isZero();
        assertThat(counter.count("gpt-4o", "what does <|endoftext|> mean")).isGreaterThan(4);
    }

    @Test
    @DisplayName("is safe to share between threads")
    void threadSafe() {
        int expected = counter.count("claude-3-haiku", "The quick brown fox jumps over the lazy dog");

        long agreeing = java.util.stream.IntStream.range(0, 200).parallel()
                .map(i -> counter.count(i % 2 == 0 ? "claude-3-haiku" : "gpt-4", "The quick brown fox jumps over the lazy dog"))
                .filter(n -> n == expected).count();

        assertThat(agreeing).isEqualTo(200);
    }

    @Test
    @DisplayName("segments that share a remembered slot are each counted as themselves")
    void segmentsInOneSlotKeepTheirOwnCounts() {
        // "Aa" and "BB" have the same hash, so the same slot: each replaces the other there
        for (String text : List.of("Aa", "BB", "Aa BB", "BB Aa", "AaAa BBBB AaBB", "Aa")) {
            assertThat(counter.count("gpt-4", text)).as(text).isEqualTo(whole(EncodingType.CL100K_BASE, text));
        }
    }

    @Test
    @DisplayName("more distinct words than the table has slots, from four threads at once, are all counted exactly")
    void manyWordsFromManyThreads() {
        List<String> texts = java.util.stream.IntStream.range(0, 40_000)
                .mapToObj(i -> "w" + Integer.toString(i * 7919, 36) + " x" + i + " and " + Integer.toString(i, 2))
                .toList();
        long wrong = java.util.stream.IntStream.range(0, 4).parallel()
                .mapToLong(thread -> texts.stream()
                        .filter(text -> counter.count("gpt-4o", text) != whole(EncodingType.O200K_BASE, text))
                        .count())
                .sum();

        assertThat(wrong).isZero();
    }
}
