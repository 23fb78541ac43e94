package io.sluice.sanitize;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Credentials recognisable by the prefix their issuer gives them. Issuers chose those prefixes precisely so that
 * scanners can find leaked keys with few false positives; no entropy guessing is done here.
 */
final class SecretPatterns {
    /** {@code literals}: read from the pattern, so a text without them is not scanned (see {@link LiteralFilter}). */
    private record Rule(PiiType type, Pattern pattern, LiteralFilter literals) {
        Rule(PiiType type, Pattern pattern) {
            this(type, pattern, LiteralFilter.of(pattern.pattern()));
        }
    }

    private static final List<Rule> RULES = List.of(
            // A whole PEM block; a pasted block that lost its END line is still a key, so take its base64 lines.
            new Rule(PiiType.SECRET_PRIVATE_KEY, Pattern.compile(
                    "-----BEGIN ([A-Z0-9]+ )*PRIVATE KEY-----"
                            + "(?:[\\s\\S]*?-----END ([A-Z0-9]+ )*PRIVATE KEY-----"
                            + "|(?:[ \\t]*\\r?\\n[ \\t]*[A-Za-z0-9+/=]{16,}){0,200})")),
            new Rule(PiiType.SECRET_ANTHROPIC_KEY, Pattern.compile("(?<![\\w-])sk-ant-[A-Za-z0-9_-]{20,}")),
            new Rule(PiiType.SECRET_OPENAI_KEY, Pattern.compile("(?<![\\w-])sk-(?!ant-)[A-Za-z0-9_-]{20,}")),
            // Access key ids: AKIA long-term, ASIA temporary (STS), ABIA/ACCA service-specific.
            new Rule(PiiType.SECRET_AWS_ACCESS_KEY, Pattern.compile("(?<![A-Za-z0-9])(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}(?![A-Za-z0-9])")),
            new Rule(PiiType.SECRET_GITHUB_TOKEN, Pattern.compile(
                    "(?<![A-Za-z0-9_])(?:gh[pousr]_[A-Za-z0-9]{36,251}|github_pat_[A-Za-z0-9_]{22,240})(?![A-Za-z0-9_])")),
            // header.payload.signature, both JSON objects base64url-encoded, so both start with eyJ ("{\"").
            new Rule(PiiType.SECRET_JWT, Pattern.compile(
                    "(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{4,}\\.eyJ[A-Za-z0-9_-]{4,}\\.[A-Za-z0-9_-]*")));

    private SecretPatterns() {}

    static void find(String text, FindingSink sink) {
        LiteralFilter.Found found = LiteralFilter.scan(text);
        for (Rule rule : RULES) {
            if (!rule.literals().test(found)) {
                continue;
            }
            Matcher m = rule.pattern().matcher(text);
            while (m.find()) {
                sink.add(rule.type(), m.start(), m.end());
            }
        }
    }
}
