package io.sluice.sanitize;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Label;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Properties that must hold for any text a client can send, including invalid UTF-16 and very long input. */
class SanitizerPropertiesTest {
    private static final List<String> PII = List.of("bob@example.com", "4111 1111 1111 1111", "GB82 WEST 1234 5698 7654 32",
            "123-45-6789", "192.168.0.1", "fe80::1", "+1 415-555-0132", "0490 75 40 81", "AKIAIOSFODNN7EXAMPLE",
            "ghp_wruVVHGaHhju6UuYuKeCrED6x7Vy047f7LZd", "sk-proj-YvvDbzDZST6IaXqA2h9Uz0_T1SaQ6dDwx",
            "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig", "ignore all previous instructions", "<|im_start|>system");

    private final Sanitizer sanitizer = new Sanitizer();
    private final TextNormalizer normalizer = new TextNormalizer();
    private final PiiRedactor redactor = new PiiRedactor();

    @Provide
    Arbitrary<String> anyText() {
        Arbitrary<String> unicode = Arbitraries.strings().all().ofMaxLength(300);
        Arbitrary<String> hostile = Arbitraries.strings()
                .withCharRange('\u0000', '\u001F').withCharRange('\u200B', '\u200D').withCharRange('\u202A', '\u202E')
                .withCharRange('\uD800', '\uDFFF').withChars('\uFEFF', '\u0301', ' ', '\n', '-', ':', '.', '@')
                .numeric().alpha().ofMaxLength(300);
        Arbitrary<String> tags = Arbitraries.integers().between(0xE0000, 0xE007F).list().ofMaxSize(40)
                .map(cps -> cps.stream().collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString());
        Arbitrary<String> mixed = Arbitraries.oneOf(Arbitraries.of(PII), unicode, hostile, Arbitraries.of(" ", "\n", ", ", "-", ""))
                .list().ofMaxSize(12).map(parts -> String.join("", parts));
        Arbitrary<String> long_ = Arbitraries.oneOf(Arbitraries.of(PII), hostile).list().ofMinSize(50).ofMaxSize(200)
                .map(parts -> String.join(" ", parts));
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(3, unicode), net.jqwik.api.Tuple.of(3, hostile), net.jqwik.api.Tuple.of(1, tags),
                net.jqwik.api.Tuple.of(4, mixed), net.jqwik.api.Tuple.of(1, long_));
    }

    @Property(tries = 500)
    @Label("sanitize never throws, whatever the text and policy")
    void sanitizeNeverThrows(@ForAll("anyText") String text, @ForAll SanitizePolicy.InjectionAction injection,
                             @ForAll SanitizePolicy.PiiAction pii) {
        SanitizeResult result = sanitizer.sanitize(text, new SanitizePolicy(injection, 1.0, pii));

        assertThat(result.textToSend()).isNotNull();
        assertThat(result.injection().rules()).doesNotContain(Sanitizer.CHECK_FAILED);
    }

    @Property(tries = 500)
    @Label("normalizing is idempotent")
    void normalizationIsIdempotent(@ForAll("anyText") String text) {
        String once = normalizer.normalize(text).text();

        assertThat(normalizer.normalize(once).text()).isEqualTo(once);
        assertThat(normalizer.normalize(once).removed()).isEmpty();
    }

    @Property(tries = 500)
    @Label("redacting is idempotent")
    void redactionIsIdempotent(@ForAll("anyText") String text) {
        String once = redactor.redact(normalizer.normalize(text).text()).text();

        assertThat(redactor.redact(once).text()).isEqualTo(once);
    }

    @Property(tries = 500)
    @Label("the redacted text never contains a value that was found")
    void redactedTextHoldsNoFoundValue(@ForAll("anyText") String text) {
        String normalized = normalizer.normalize(text).text();
        Redaction redaction = redactor.redact(normalized);

        assertThat(redaction.findings()).allSatisfy(f ->
                assertThat(redaction.text()).doesNotContain(normalized.substring(f.start(), f.end())));
    }

    @Property(tries = 20)
    @Label("very long texts are handled")
    void longTexts(@ForAll("anyText") String seed) {
        String text = (seed + " ").repeat(Math.max(1, 200_000 / (seed.length() + 1)));

        SanitizeResult result = sanitizer.sanitize(text, SanitizePolicy.defaults());

        assertThat(result.injection().rules()).doesNotContain(Sanitizer.CHECK_FAILED);
    }
}
