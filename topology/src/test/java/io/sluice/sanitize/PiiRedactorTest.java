package io.sluice.sanitize;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class PiiRedactorTest {
    private final PiiRedactor redactor = new PiiRedactor();

    private List<PiiType> typesIn(String text) {
        return redactor.find(text).stream().map(PiiFinding::type).toList();
    }

    @ParameterizedTest(name = "{0} is {1}")
    @CsvSource(delimiter = '|', value = {
            "mail me at jane.doe+news@example.co.uk today | EMAIL_ADDRESS",
            "card 4111 1111 1111 1111 expires soon | CREDIT_CARD",
            "card 4111-1111-1111-1111 expires soon | CREDIT_CARD",
            "amex 378282246310005 please | CREDIT_CARD",
            "maestro 675984103431 please | CREDIT_CARD",
            "pay to GB82 WEST 1234 5698 7654 32 AND thanks | IBAN_CODE",
            "pay to DE89370400440532013000 now | IBAN_CODE",
            "pay to gb82west12345698765432 now | IBAN_CODE",
            "my ssn is 123-45-6789. | US_SSN",
            "SSN: 123456789 | US_SSN",
            "host 192.168.1.20 is down | IP_ADDRESS",
            "host 2001:db8:85a3::8a2e:370:7334 is down | IP_ADDRESS",
            "host fe80::1 is down | IP_ADDRESS",
            "call +1 415-555-0132 now | PHONE_NUMBER",
            "call (415) 555-0132 now | PHONE_NUMBER",
            "call +44 20 7946 0958 now | PHONE_NUMBER",
            "call 0490 75 40 81 now | PHONE_NUMBER",
            "call 345-899-3560x4587 now | PHONE_NUMBER",
    })
    @DisplayName("finds each pattern-detectable type")
    void findsEachType(String text, PiiType type) {
        assertThat(typesIn(text)).containsExactly(type);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiterString = " => ", value = {
            "card 4111 1111 1111 1112 fails Luhn => CREDIT_CARD",
            "pay to GB82 WEST 1234 5698 7654 33 fails mod 97 => IBAN_CODE",
            "area 000: 000-12-3456 => US_SSN",
            "area 666: 666-12-3456 => US_SSN",
            "area 9xx: 912-12-3456 => US_SSN",
            "group 00: 123-00-4567 => US_SSN",
            "serial 0000: 123-45-0000 => US_SSN",
            "an order number 123456789 without SSN context => US_SSN",
            "octet 256: 192.168.1.256 => IP_ADDRESS",
            "std::vector and a::b are C++ names => IP_ADDRESS",
    })
    @DisplayName("rejects near misses of a type")
    void rejectsNearMisses(String text, PiiType type) {
        assertThat(typesIn(text)).doesNotContain(type);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
            "card 4111 1111 1111 1112 fails Luhn",
            "area 000: 000-12-3456",
            "serial 0000: 123-45-0000",
            "octet 256: 192.168.1.256",
            "Our build is version 10.0.0.1 and fails",
            "My order number is 4111-2222-3333 and it never arrived.",
            "The ticket id is 123-45-678 for the broken printer",
            "Convert 2024-03-15 to the ISO week number.",
            "The meeting is at 12:30:45 in room 5.",
            "std::vector and a::b are C++ names",
            "It costs $1,250,000 and weighs 3.5 kg.",
    })
    @DisplayName("finds nothing at all in number-like text that is not personal data")
    void ignoresNumberLikeText(String text) {
        assertThat(redactor.find(text)).isEmpty();
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', value = {
            "key sk-proj-YvvDbzDZST6IaXqA2h9Uz0_T1SaQ6dDwxlGejkc5bJFIoxSL here | SECRET_OPENAI_KEY",
            "key sk-abcdefghijklmnopqrstuvwxyz0123456789ABCD here | SECRET_OPENAI_KEY",
            "key sk-ant-api03-GA3cCcYseu52C5CdYP2hMqBgNjjNMu1GqbeB6veWzSmA3y-nXL-cPZKcuzPrR2B here | SECRET_ANTHROPIC_KEY",
            "key AKIAIOSFODNN7EXAMPLE here | SECRET_AWS_ACCESS_KEY",
            "key ASIAY34FZKBOKMUTVV7A here | SECRET_AWS_ACCESS_KEY",
            "token ghp_wruVVHGaHhju6UuYuKeCrED6x7Vy047f7LZd here | SECRET_GITHUB_TOKEN",
            "token gho_wruVVHGaHhju6UuYuKeCrED6x7Vy047f7LZd here | SECRET_GITHUB_TOKEN",
            "token ghs_wruVVHGaHhju6UuYuKeCrED6x7Vy047f7LZd here | SECRET_GITHUB_TOKEN",
            "token github_pat_11ABCDEFG0abcdefghijkl_mnopqrstuvwxyz0123456789ABCDEF here | SECRET_GITHUB_TOKEN",
            "jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U here | SECRET_JWT",
    })
    @DisplayName("finds each kind of secret by its issuer's prefix")
    void findsSecrets(String text, PiiType type) {
        assertThat(typesIn(text)).containsExactly(type);
        assertThat(redactor.redact(text).text()).contains(type.placeholder()).doesNotContain(text.split(" ")[1]);
    }

    @Test
    @DisplayName("a PEM private key block is redacted whole, with or without its END line")
    void redactsPrivateKeyBlocks() {
        String body = "MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun\nVTLw7onLRnrq0/IzW7yWR7QkrmBL7jTKEn5u+qKhbwKfBstIs+bMY2Zkp18gnTxK\n";
        String whole = "use this:\n-----BEGIN RSA PRIVATE KEY-----\n" + body + "-----END RSA PRIVATE KEY-----\nthanks";
        String cut = "use this:\n-----BEGIN PRIVATE KEY-----\n" + body + "\nthanks";

        assertThat(redactor.redact(whole).text()).isEqualTo("use this:\n[SECRET_PRIVATE_KEY]\nthanks");
        assertThat(redactor.redact(cut).text()).isEqualTo("use this:\n[SECRET_PRIVATE_KEY]\n\nthanks");
    }

    @Test
    @DisplayName("reports offsets into the original text and replaces each finding with its placeholder")
    void redactsWithOffsets() {
        String text = "Mail bob@example.com or call +1 415-555-0132.";

        Redaction redaction = redactor.redact(text);

        assertThat(redaction.text()).isEqualTo("Mail [EMAIL_ADDRESS] or call [PHONE_NUMBER].");
        assertThat(redaction.findings()).extracting(f -> text.substring(f.start(), f.end()))
                .containsExactly("bob@example.com", "+1 415-555-0132");
    }

    @Test
    @DisplayName("when candidates overlap, the more specific type wins (a Luhn-valid card over a phone shape)")
    void resolvesOverlapsBySpecificity() {
        assertThat(typesIn("number 4111 1111 1111 1111")).containsExactly(PiiType.CREDIT_CARD);
        assertThat(typesIn("ip 86.121.97.248 here")).containsExactly(PiiType.IP_ADDRESS);
    }

    @Test
    @DisplayName("redacting an already redacted text changes nothing")
    void isIdempotent() {
        String once = redactor.redact("a@b.io 123-45-6789 4111111111111111 AKIAIOSFODNN7EXAMPLE 10.1.2.3 +1 415-555-0132").text();

        Redaction twice = redactor.redact(once);

        assertThat(twice.text()).isEqualTo(once);
        assertThat(twice.findings()).isEmpty();
    }

    @Test
    @DisplayName("a regex question naming an example address still redacts it (counted apart from injection false positives)")
    void redactsExampleAddresses() {
        assertThat(typesIn("Write a regex that matches email addresses like name@example.com.")).containsExactly(PiiType.EMAIL_ADDRESS);
    }
}
