package io.sluice.sanitize;

import java.util.List;

/**
 * The outcome of {@link Sanitizer#sanitize}: the normalized text, the text to send on (redacted when the policy says
 * so), the injection verdict and the personal data found. {@code blocked()} is what the pipeline acts on.
 */
record SanitizeResult(String normalizedText, String textToSend, InjectionVerdict injection,
                             List<PiiFinding> findings, SanitizePolicy policy) {
    public SanitizeResult {
        findings = List.copyOf(findings);
    }

    /** The policy blocks injections and this text scored at or above the threshold. */
    public boolean blocked() {
        return policy.injectionAction() == SanitizePolicy.InjectionAction.BLOCK && injection.flagged();
    }

    /** The text scored at or above the threshold and the policy does not ignore injections. */
    public boolean flagged() {
        return policy.injectionAction() != SanitizePolicy.InjectionAction.OFF && injection.flagged();
    }
}
