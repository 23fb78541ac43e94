package io.sluice.sanitize;

import java.util.ArrayList;
import java.util.List;

/**
 * Scores a prompt for prompt-injection and jailbreak attempts with named, weighted heuristics (see
 * {@link InjectionRules}), applied to normalized text and to its {@link EvasionSpellings respellings} so that
 * full-width letters, invisible characters, hyphens or digits for letters do not hide a phrase. Heuristics catch the
 * known families cheaply and explainably; they are a first line, not a guarantee.
 */
final class InjectionDetector {
    public static final double DEFAULT_THRESHOLD = 1.0;

    private static final List<InjectionRule> RULES = InjectionRules.all();
    private static final LiteralIndex LITERALS = new LiteralIndex(RULES.stream()
            .flatMap(rule -> LiteralFilter.literals(rule.literals())).toList());
    /** Each rule's literal filter against {@link #LITERALS}, in the order of {@link #RULES}. */
    private static final List<LiteralIndex.Compiled> FILTERS = RULES.stream()
            .map(rule -> LITERALS.compile(rule.literals())).toList();

    private final double threshold;

    public InjectionDetector() {
        this(DEFAULT_THRESHOLD);
    }

    public InjectionDetector(double threshold) {
        if (!(threshold > 0)) {
            throw new IllegalArgumentException("injection threshold must be > 0, but was " + threshold);
        }
        this.threshold = threshold;
    }

    /** The rules this detector applies, for documentation and the CLI. */
    public static List<InjectionRule> rules() {
        return RULES;
    }

    public InjectionVerdict inspect(NormalizedText text) {
        List<String> hits = new ArrayList<>();
        double score = 0;
        List<NormalizedText> views = EvasionSpellings.views(text);
        List<LiteralIndex.Scan> found = views.stream().map(view -> LITERALS.scan(view.text())).toList();
        for (int r = 0; r < RULES.size(); r++) {
            InjectionRule rule = RULES.get(r);
            if (firesOnAny(r, views, found)) {
                hits.add(rule.name());
                score += rule.weight();
            }
        }
        score += invisible(text, hits);
        score += encoded(text, hits);
        // Weights are hundredths; rounding keeps 0.3 + 0.7 equal to 1.0.
        return new InjectionVerdict(Math.round(score * 100) / 100.0, threshold, hits);
    }

    private static boolean firesOnAny(int rule, List<NormalizedText> views, List<LiteralIndex.Scan> found) {
        for (int i = 0; i < views.size(); i++) {
            if (fires(rule, views.get(i), found.get(i))) {
                return true;
            }
        }
        return false;
    }

    /** Whether rule number {@code rule} fires on {@code text}: its compiled literal filter first, then its test. */
    private static boolean fires(int rule, NormalizedText text, LiteralIndex.Scan found) {
        return FILTERS.get(rule).test(found) && RULES.get(rule).test().test(text);
    }

    private static double invisible(NormalizedText text, List<String> hits) {
        double score = 0;
        // Emoji subdivision flags use up to seven tag characters; more than that is hidden ASCII.
        if (text.removed(InvisibleKind.TAG) > 7) {
            hits.add("tag-character-smuggling");
            score += 1.0;
        }
        if (text.removed(InvisibleKind.BIDI) > 0) {
            hits.add("bidi-override");
            score += 0.5;
        }
        // Emoji sequences join with a few zero-width joiners; many of them hide word boundaries from filters.
        if (text.removed(InvisibleKind.ZERO_WIDTH) >= 3) {
            hits.add("zero-width-characters");
            score += 0.5;
        }
        return score;
    }

    private static double encoded(NormalizedText text, List<String> hits) {
        List<String> payloads = EncodedPayloads.decode(text.text());
        if (payloads.isEmpty()) {
            return 0;
        }
        hits.add("encoded-text");
        double score = 0.5;
        for (String payload : payloads) {
            NormalizedText decoded = new NormalizedText(payload, java.util.Map.of());
            LiteralIndex.Scan found = LITERALS.scan(payload); // once per payload, not once per rule
            // only the strong rules: a decoded persona or mention alone is not instructions
            boolean instructions = java.util.stream.IntStream.range(0, RULES.size())
                    .anyMatch(r -> RULES.get(r).weight() >= 0.7 && fires(r, decoded, found));
            if (instructions) {
                hits.add("encoded-instructions");
                score += 1.0;
                break;
            }
        }
        return score;
    }
}
