package io.sluice.sanitize;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class RequestValidatorTest {
    private static final String ALLOWED = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._:@+-";

    @Test
    @DisplayName("an id is 1 to 128 characters, each one of those the refusal names")
    void idsAreTheDocumentedCharacters() {
        assertThat(RequestValidator.ID_CHARACTERS).isEqualTo("1-128 characters of [A-Za-z0-9._:@+-]");
        for (char c = 0; c < 0x3000; c++) {
            boolean allowed = ALLOWED.indexOf(c) >= 0;
            assertThat(RequestValidator.isId("id-" + c)).as("U+%04X", (int) c).isEqualTo(allowed);
            assertThat(RequestValidator.isId(String.valueOf(c))).as("U+%04X alone", (int) c).isEqualTo(allowed);
        }
        assertThat(RequestValidator.isId("tenant-01.eu:app@v2+canary")).isTrue();
        assertThat(RequestValidator.isId("x".repeat(128))).isTrue();
        assertThat(RequestValidator.isId("x".repeat(129))).isFalse();
        assertThat(RequestValidator.isId("")).isFalse();
        assertThat(RequestValidator.isId(null)).isFalse();
        assertThat(RequestValidator.isId("acme|user|x")).as("the key separator").isFalse();
        assertThat(RequestValidator.isId("\uD83D\uDE00")).as("a character beyond the BMP").isFalse();
    }
}
