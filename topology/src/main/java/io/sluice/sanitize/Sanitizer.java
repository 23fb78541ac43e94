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

    private static final SanitizePolicy ANSWER_POLICY = new SanitizePolicy(SanitizePolicy.InjectionAction.BLOCK,
            InjectionDetector.DEFAULT_THRESHOLD, SanitizePolicy.PiiAction.REDACT);

    private final TextNormalizer normalizer = new TextNormalizer();
    private final PiiRedactor redactor;
    private final InjectionModel model;
    private final EntityFinder entities = new EntityFinder();
    /** Logs and dead letters are read by people who need no one's name or address: every entity is taken out. */
    private final PiiRedactor.Finder logEntities = entities.finder(PiiType.ENTITIES);

    /** With the shipped injection model. */
    public Sanitizer() {
        this(new PiiRedactor(), InjectionModel.shipped());
    }

    public Sanitizer(PiiRedactor redactor, InjectionModel model) {
        this.redactor = redactor;
        this.model = model;
    }

    PiiRedactor redactor() {
        return redactor;
    }

    /** The injection model this sanitizer scores with. */
    public InjectionModel model() {
        return model;
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
                : inspect(normalized, policy);
        Redaction redaction = redactor.redact(normalized.text(), entities.finder(policy.entities()));
        String toSend = policy.piiAction() == SanitizePolicy.PiiAction.REDACT ? redaction.text() : normalized.text();
        return new SanitizeResult(normalized.text(), toSend, verdict, redaction.findings(), policy);
    }

    /**
     * Checks a model's answer for the output guard: personal data and secrets (and the {@code entities} asked for),
     * and, when {@code injection}, whether the answer reads as a prompt injection at the {@code block} threshold (an
     * answer that carries instructions onward to an agent). Fails closed like {@link #sanitize}: an answer the checks
     * cannot finish on reads as an injection and is redacted whole.
     */
    public AnswerCheck checkAnswer(String text, java.util.Set<PiiType> entities, boolean injection) {
        try {
            NormalizedText normalized = normalizer.normalize(text);
            Redaction redaction = redactor.redact(normalized.text(), this.entities.finder(entities));
            java.util.Map<String, Integer> found = new java.util.TreeMap<>();
            redaction.findings().forEach(f -> found.merge(f.type().name(), 1, Integer::sum));
            boolean injected = injection && inspect(normalized, ANSWER_POLICY).flagged();
            return new AnswerCheck(redaction.text(), found, injected);
        } catch (RuntimeException | StackOverflowError e) {
            return new AnswerCheck(UNREADABLE, java.util.Map.of(), true);
        }
    }

    /** The rules' verdict and, where the policy asks, the model's and the two combined. */
    InjectionVerdict inspect(NormalizedText normalized, SanitizePolicy policy) {
        InjectionVerdict rules = new InjectionDetector(policy.injectionThreshold()).inspect(normalized);
        if (!policy.injectionModel()) {
            return rules;
        }
        double p = model.probability(normalized.text());
        return rules.withModel(p, model.combined(p, rules.score()), policy.combinedThreshold(model), model.rulesFloor());
    }

    /**
     * The text with every finding replaced, names and addresses too, whatever the policy: for logs, audit records and
     * dead letters, which must never hold a secret even when the request itself was allowed through unredacted.
     */
    public String redactForLogs(String text) {
        try {
            return redactor.redact(normalizer.normalize(text).text(), logEntities).text();
        } catch (RuntimeException | StackOverflowError e) {
            return UNREADABLE;
        }
    }
}
