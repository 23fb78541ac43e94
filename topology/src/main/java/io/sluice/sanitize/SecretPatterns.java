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
            if (rule.type() == PiiType.SECRET_PRIVATE_KEY) {
                findPem(text, sink);
                continue;
            }
            Matcher m = rule.pattern().matcher(text);
            while (m.find()) {
                sink.add(rule.type(), m.start(), m.end());
            }
        }
    }

    private static final Pattern PEM_BEGIN = Pattern.compile("-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----");
    private static final Pattern PEM_END = Pattern.compile("-----END (?:[A-Z0-9]+ )*PRIVATE KEY-----");
    private static final Pattern PEM_LINES = Pattern.compile("(?:[ \\t]*\\r?\\n[ \\t]*[A-Za-z0-9+/=]{16,}){0,200}");

    /**
     * What the PEM rule's pattern matches, in one pass: its lazy {@code [\s\S]*?} looked for an END line from
     * every BEGIN line to the end of the text, so a prompt of many BEGIN lines and no END cost quadratic time
     * (about 140 ms for 32,000 characters). Here the next END is found once and reused by every BEGIN before it.
     */
    static void findPem(String text, FindingSink sink) {
        Matcher begin = PEM_BEGIN.matcher(text);
        Matcher end = PEM_END.matcher(text);
        Matcher lines = PEM_LINES.matcher(text);
        int endStart = -2; // -2: not looked for yet; -1: no END after the last look
        int endStop = -1;
        int from = 0;
        while (from <= text.length() && begin.find(from)) {
            int afterBegin = begin.end();
            if (endStart == -2 || (endStart >= 0 && endStart < afterBegin)) {
                if (end.find(afterBegin)) {
                    endStart = end.start();
                    endStop = end.end();
                } else {
                    endStart = -1;
                }
            }
            int stop;
            if (endStart >= 0) {
                stop = endStop;
            } else {
                lines.region(afterBegin, text.length());
                stop = lines.lookingAt() ? lines.end() : afterBegin;
            }
            sink.add(PiiType.SECRET_PRIVATE_KEY, begin.start(), stop);
            from = stop;
        }
    }
}
