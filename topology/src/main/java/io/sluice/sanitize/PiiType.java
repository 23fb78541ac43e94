package io.sluice.sanitize;

/**
 * What {@link PiiRedactor} finds, named as in Presidio so that corpora and dashboards share one vocabulary. The
 * specificity orders overlapping findings: a match proven by a checksum or a vendor prefix beats a looser one.
 */
public enum PiiType {
    SECRET_PRIVATE_KEY(6),
    SECRET_ANTHROPIC_KEY(5),
    SECRET_OPENAI_KEY(5),
    SECRET_AWS_ACCESS_KEY(5),
    SECRET_GITHUB_TOKEN(5),
    SECRET_JWT(5),
    IBAN_CODE(4),
    CREDIT_CARD(4),
    EMAIL_ADDRESS(3),
    US_SSN(3),
    IP_ADDRESS(3),
    STREET_ADDRESS(2),
    PHONE_NUMBER(1),
    PERSON(0),
    ORGANIZATION(0);

    /** The name-like types found by gazetteers and context, not by a shape: searched for only where a policy asks. */
    public static final java.util.Set<PiiType> ENTITIES = java.util.Collections.unmodifiableSet(
            java.util.EnumSet.of(PERSON, STREET_ADDRESS, ORGANIZATION));

    private final int specificity;

    PiiType(int specificity) {
        this.specificity = specificity;
    }

    public int specificity() {
        return specificity;
    }

    /** What replaces a finding in the text, e.g. {@code [EMAIL_ADDRESS]}. */
    public String placeholder() {
        return "[" + name() + "]";
    }
}
