package io.sluice.sanitize;

import static org.assertj.core.api.Assertions.assertThat;

import com.knuddels.jtokkit.api.EncodingType;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class TokenCounterTest {
    private final TokenCounter counter = new TokenCounter();

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
}
