package io.sluice.sanitize;

import java.util.List;

/**
 * The sanitize stage's library: normalize, score for injection, find and redact personal data and secrets. Pure and
 * thread-safe; it never throws on any input, because a prompt that crashes the check would be a way around it.
 */
public final class Sanitizer {
    /** The rule name reported when the checks themselves failed on a text. */
    public static final String CHECK_FAILED = "sanitizer-check-failed";
    /** What replaces a text that could not be checked, in the request and in logs. */
    public static final String UNREADABLE = "[UNCHECKED_TEXT]";

    private final TextNormalizer normalizer = new TextNormalizer();
    private final PiiRedactor redactor;

    public Sanitizer() {
        this(new PiiRedactor());
    }

    public Sanitizer(PiiRedactor redactor) {
        this.redactor = redactor;
    }

    /** Findings in the result are offsets into its {@code normalizedText}, the text the checks ran on. */
    public SanitizeResult sanitize(String text, SanitizePolicy policy) {
        try {
            return check(normalizer.normalize(text), policy);
        } catch (RuntimeException | StackOverflowError e) {
            // Fail closed: a text the checks cannot finish on is flagged and sent nowhere in clear.
            InjectionVerdict failed = new InjectionVerdict(policy.injectionThreshold(), policy.injectionThreshold(),
                    List.of(CHECK_FAILED));
            return new SanitizeResult(UNREADABLE, UNREADABLE, failed, List.of(), policy);
        }
    }

    private SanitizeResult check(NormalizedText normalized, SanitizePolicy policy) {
        InjectionVerdict verdict = policy.injectionAction() == SanitizePolicy.InjectionAction.OFF
                ? new InjectionVerdict(0, policy.injectionThreshold(), List.of())
                : new InjectionDetector(policy.injectionThreshold()).inspect(normalized);
        Redaction redaction = redactor.redact(normalized.text());
        String toSend = policy.piiAction() == SanitizePolicy.PiiAction.REDACT ? redaction.text() : normalized.text();
        return new SanitizeResult(normalized.text(), toSend, verdict, redaction.findings(), policy);
    }

    /**
     * The text with every finding replaced, whatever the policy: for logs, audit records and dead letters, which must
     * never hold a secret even when the request itself was allowed through unredacted.
     */
    public String redactForLogs(String text) {
        try {
            return redactor.redact(normalizer.normalize(text).text()).text();
        } catch (RuntimeException | StackOverflowError e) {
            return UNREADABLE;
        }
    }
}
