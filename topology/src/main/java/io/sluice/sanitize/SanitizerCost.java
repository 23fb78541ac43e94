package io.sluice.sanitize;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToIntFunction;

/**
 * Measures what the sanitizer costs per prompt, whole and by part (rules, model, entity finders), on one thread over a
 * set of texts: a warm-up first, so that the JIT has compiled what it measures, then timed rounds, of which the fastest
 * is reported (on a shared machine a slower round measures the neighbours, not the code). A measurement to report, not
 * a test: it asserts nothing.
 */
public final class SanitizerCost {
    private static final int WARM_UP_ROUNDS = 10;
    private static final int TIMED_ROUNDS = 9;

    private final Sanitizer sanitizer;
    private final SanitizePolicy policy;

    public SanitizerCost(Sanitizer sanitizer, SanitizePolicy policy) {
        this.sanitizer = sanitizer;
        this.policy = policy;
    }

    /** Microseconds per prompt of each part (its fastest round's mean), and the prompts' mean length. */
    public record Figures(int prompts, double meanChars, Map<String, Double> microsPerPrompt) {
        public List<String> summary() {
            List<String> out = new ArrayList<>();
            out.add(String.format("cost per prompt (%d prompts, %.0f characters on average; one thread, warm):",
                    prompts, meanChars));
            microsPerPrompt.forEach((part, us) -> out.add(String.format("  %-26s %8.1f µs", part, us)));
            return out;
        }

        public String toJson() {
            StringBuilder json = new StringBuilder("{\"prompts\":").append(prompts)
                    .append(",\"meanChars\":").append(Math.round(meanChars));
            microsPerPrompt.forEach((part, us) -> json.append(",\"").append(part).append("\":")
                    .append(Math.round(us * 10) / 10.0));
            return json.append('}').toString();
        }
    }

    public Figures measure(List<String> texts) {
        TextNormalizer normalizer = new TextNormalizer();
        List<NormalizedText> normalized = texts.stream().map(normalizer::normalize).toList();
        InjectionDetector rules = new InjectionDetector(policy.injectionThreshold());
        InjectionModel model = sanitizer.model();
        PiiRedactor.Finder entities = new EntityFinder().finder(PiiType.ENTITIES);
        Map<String, ToIntFunction<Integer>> parts = new LinkedHashMap<>();
        parts.put("sanitize (policy)", i -> sanitizer.sanitize(texts.get(i), policy).textToSend().length());
        parts.put("injection rules", i -> rules.inspect(normalized.get(i)).rules().size());
        parts.put("injection model", i -> (int) (model.probability(normalized.get(i).text()) * 1000));
        parts.put("pattern PII and secrets", i -> sanitizer.redactor().redact(normalized.get(i).text()).findings().size());
        parts.put("entity finders (all)", i -> {
            int[] n = {0};
            entities.find(normalized.get(i).text(), (type, start, end) -> n[0]++);
            return n[0];
        });
        Map<String, Double> micros = new LinkedHashMap<>();
        long sink = 0;
        // every part warmed before any is timed: the sanitizer runs the other parts inside it
        for (int round = 0; round < WARM_UP_ROUNDS; round++) {
            for (var part : parts.values()) {
                sink += run(part, texts.size());
            }
        }
        for (var part : parts.entrySet()) {
            long fastest = Long.MAX_VALUE;
            for (int round = 0; round < TIMED_ROUNDS; round++) {
                long start = System.nanoTime();
                sink += run(part.getValue(), texts.size());
                fastest = Math.min(fastest, System.nanoTime() - start);
            }
            micros.put(part.getKey(), fastest / 1_000.0 / texts.size());
        }
        if (sink == 42) {
            micros.put("", 0.0); // keeps the results alive, so the JIT cannot drop the work
        }
        double meanChars = texts.stream().mapToInt(String::length).average().orElse(0);
        return new Figures(texts.size(), meanChars, micros);
    }

    private static long run(ToIntFunction<Integer> part, int n) {
        long sum = 0;
        for (int i = 0; i < n; i++) {
            sum += part.applyAsInt(i);
        }
        return sum;
    }
}
