package io.sluice.sanitize;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** The one-pass PEM finder finds exactly what the PEM rule's regular expression matches. */
class PemFinderTest {
    /** The rule as a single regular expression (quadratic on many BEGIN lines without an END). */
    private static final Pattern PEM = Pattern.compile("-----BEGIN ([A-Z0-9]+ )*PRIVATE KEY-----"
            + "(?:[\\s\\S]*?-----END ([A-Z0-9]+ )*PRIVATE KEY-----"
            + "|(?:[ \\t]*\\r?\\n[ \\t]*[A-Za-z0-9+/=]{16,}){0,200})");

    @Property(tries = 2_000)
    void findsWhatTheRegularExpressionMatches(@ForAll("texts") String text) {
        List<String> expected = new ArrayList<>();
        Matcher m = PEM.matcher(text);
        while (m.find()) {
            expected.add(m.start() + "-" + m.end());
        }
        List<String> found = new ArrayList<>();
        SecretPatterns.findPem(text, (type, start, end) -> found.add(start + "-" + end));

        assertThat(found).isEqualTo(expected);
    }

    @Provide
    Arbitrary<String> texts() {
        return Arbitraries.of("-----BEGIN RSA PRIVATE KEY-----", "-----END RSA PRIVATE KEY-----",
                        "-----BEGIN PRIVATE KEY-----", "-----END PRIVATE KEY-----", "-----BEGIN EC PRIVATE KEY-----",
                        "-----BEGIN PUBLIC KEY-----", "\n", "\r\n", " ", "\t", "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC",
                        "abc", "hello world", "-----", "=")
                .list().ofMaxSize(40).map(parts -> String.join("", parts));
    }
}
