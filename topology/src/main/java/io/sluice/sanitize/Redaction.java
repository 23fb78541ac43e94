package io.sluice.sanitize;

import java.util.List;

/** The redacted text and what was taken out of it, in the order it appeared. */
record Redaction(String text, List<PiiFinding> findings) {
    public Redaction {
        findings = List.copyOf(findings);
    }

    public boolean changed() {
        return !findings.isEmpty();
    }
}
