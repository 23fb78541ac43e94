package io.sluice.sanitize;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Measures the sanitizer on labelled JSONL corpora, one line at a time. Lines with {@code label} measure the injection
 * checks (recall on {@code injection}, false positives on {@code benign}, per file), for the combined verdict and for
 * each part, rules and model, on its own; lines with {@code spans} measure the redactor per type (recall, and
 * precision: the share of findings that lie on a labelled span of their type). Span offsets are code points into the
 * original text, as Python writes them, so the redactor runs on the original text here rather than on the
 * normalized one.
 */
public final class CorpusEvaluator {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Sanitizer sanitizer;
    private final PiiRedactor redactor;
    private final PiiRedactor.Finder entities;
    private final SanitizePolicy policy;
    private final TrainingSplit split;

    private final Set<String> files = new LinkedHashSet<>();
    private int lines;
    private int skippedTrained;
    private final int[] injection = new int[4]; // total, combined, rules, model
    private final Map<String, int[]> benign = new TreeMap<>(); // per file: total, combined, rules, model, redacted
    private final Map<PiiType, int[]> byType = new EnumMap<>(PiiType.class); // found spans, spans
    private final Map<PiiType, int[]> findingsByType = new EnumMap<>(PiiType.class); // on a span, findings
    private final Map<String, int[]> notDetectable = new TreeMap<>();

    /** With the shipped model, counting every labelled line. */
    public CorpusEvaluator(SanitizePolicy policy) {
        this(new Sanitizer(), policy, false);
    }

    /**
     * @param heldOutOnly count only the labelled lines the model was not trained on (by its seed's split); lines with
     *                    spans are counted all the same, as the entity finders learned nothing from them
     */
    public CorpusEvaluator(Sanitizer sanitizer, SanitizePolicy policy, boolean heldOutOnly) {
        this.sanitizer = sanitizer;
        this.redactor = sanitizer.redactor();
        this.entities = new EntityFinder().finder(policy.entities());
        this.policy = policy;
        this.split = heldOutOnly ? new TrainingSplit(sanitizer.model().seed()) : null;
    }

    /**
     * Evaluates one line of {@code file} (1-based {@code lineNumber}) and adds it to the figures; blank lines, and
     * with {@code heldOutOnly} labelled lines the model trained on, are skipped and return empty.
     *
     * @throws CorpusFormatException if the line is not a JSON object with a string {@code text}, a known label or
     *                               well-formed spans
     */
    public Optional<LineVerdict> add(String file, int lineNumber, String line) {
        files.add(file);
        if (line.isBlank()) {
            return Optional.empty();
        }
        CorpusLine parsed = parse(file, lineNumber, line);
        if (split != null && parsed.label() != null && !split.heldOut(parsed.text())) {
            skippedTrained++;
            return Optional.empty();
        }
        lines++;
        SanitizeResult result = sanitizer.sanitize(parsed.text(), policy);
        InjectionVerdict verdict = result.injection();
        boolean flagged = result.flagged();
        List<PiiFinding> findings = redactor.find(parsed.text(), entities);
        if ("injection".equals(parsed.label())) {
            count(injection, flagged, verdict);
        } else if ("benign".equals(parsed.label())) {
            int[] counts = benign.computeIfAbsent(file, f -> new int[5]);
            count(counts, flagged, verdict);
            counts[4] += findings.isEmpty() ? 0 : 1;
        }
        List<String> missed = parsed.spans() == null ? List.of() : scoreSpans(parsed, findings);
        String action = flagged ? policy.injectionAction().name() : "PASS";
        return Optional.of(new LineVerdict(file, lineNumber, parsed.label(), action, verdict.score(),
                verdict.modelProbability(), verdict.combined(), verdict.rules(),
                findings.stream().map(PiiFinding::type).toList(), missed));
    }

    private void count(int[] counts, boolean flagged, InjectionVerdict verdict) {
        counts[0]++;
        counts[1] += flagged ? 1 : 0;
        counts[2] += policy.injectionAction() != SanitizePolicy.InjectionAction.OFF && verdict.rulesFlagged() ? 1 : 0;
        counts[3] += verdict.modelFlagged() ? 1 : 0;
    }

    private List<String> scoreSpans(CorpusLine line, List<PiiFinding> findings) {
        List<String> missed = new ArrayList<>();
        for (CorpusLine.Span span : line.spans()) {
            Optional<PiiType> type = CorpusLine.redactorType(span.type());
            boolean searched = type.isPresent() && (!PiiType.ENTITIES.contains(type.get())
                    || policy.entities().contains(type.get()));
            boolean overlapped = findings.stream().anyMatch(f -> f.overlaps(span.start(), span.end())
                    && type.map(t -> t == f.type()).orElse(true));
            if (searched) {
                int[] counts = byType.computeIfAbsent(type.get(), t -> new int[2]);
                counts[0] += overlapped ? 1 : 0;
                counts[1]++;
                if (!overlapped) {
                    missed.add(span.type());
                }
            } else {
                int[] counts = notDetectable.computeIfAbsent(span.type(), t -> new int[2]);
                counts[0] += overlapped ? 1 : 0;
                counts[1]++;
            }
        }
        for (PiiFinding finding : findings) {
            boolean onSpan = line.spans().stream().anyMatch(s -> finding.overlaps(s.start(), s.end())
                    && CorpusLine.redactorType(s.type()).filter(t -> t == finding.type()).isPresent());
            int[] counts = findingsByType.computeIfAbsent(finding.type(), t -> new int[2]);
            counts[0] += onSpan ? 1 : 0;
            counts[1]++;
        }
        return missed;
    }

    private static CorpusLine parse(String file, int lineNumber, String line) {
        JsonNode node;
        try {
            node = JSON.readTree(line);
        } catch (JsonProcessingException e) {
            throw new CorpusFormatException(file, lineNumber, "not valid JSON (" + e.getOriginalMessage() + ")");
        }
        try {
            return CorpusLine.of(node);
        } catch (IllegalArgumentException e) {
            throw new CorpusFormatException(file, lineNumber, e.getMessage());
        }
    }

    /** The figures so far. */
    public CorpusReport report() {
        Map<String, CorpusReport.Parts> benignByFile = new TreeMap<>();
        benign.forEach((f, c) -> benignByFile.put(f, parts(c)));
        Map<String, Integer> redacted = new TreeMap<>();
        benign.forEach((f, c) -> redacted.put(f, c[4]));
        Map<PiiType, CorpusReport.Count> types = new EnumMap<>(PiiType.class);
        byType.forEach((t, c) -> types.put(t, new CorpusReport.Count(c[0], c[1])));
        Map<PiiType, CorpusReport.Count> precision = new EnumMap<>(PiiType.class);
        findingsByType.forEach((t, c) -> precision.put(t, new CorpusReport.Count(c[0], c[1])));
        Map<String, CorpusReport.Count> other = new TreeMap<>();
        notDetectable.forEach((t, c) -> other.put(t, new CorpusReport.Count(c[0], c[1])));
        return new CorpusReport(List.copyOf(files), lines, skippedTrained, policy.injectionModel(), parts(injection),
                benignByFile, redacted, types, precision, other);
    }

    private static CorpusReport.Parts parts(int[] c) {
        return new CorpusReport.Parts(new CorpusReport.Count(c[1], c[0]), new CorpusReport.Count(c[2], c[0]),
                new CorpusReport.Count(c[3], c[0]));
    }
}
