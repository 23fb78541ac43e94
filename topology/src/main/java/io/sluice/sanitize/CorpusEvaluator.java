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
 * detector (recall on {@code injection}, false positives on {@code benign}); lines with {@code spans} measure the
 * redactor per type. Span offsets are code points into the original text, as Python writes them, so the redactor runs
 * on the original text here rather than on the normalized one.
 */
public final class CorpusEvaluator {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Sanitizer sanitizer;
    private final PiiRedactor redactor;
    private final SanitizePolicy policy;

    private final Set<String> files = new LinkedHashSet<>();
    private int lines;
    private int injectionTotal;
    private int injectionDetected;
    private int benignTotal;
    private int benignFlagged;
    private int benignRedacted;
    private final Map<PiiType, int[]> byType = new EnumMap<>(PiiType.class);
    private final Map<String, int[]> notDetectable = new TreeMap<>();
    private final Map<PiiType, Integer> unmatched = new EnumMap<>(PiiType.class);

    public CorpusEvaluator(SanitizePolicy policy) {
        this(new PiiRedactor(), policy);
    }

    public CorpusEvaluator(PiiRedactor redactor, SanitizePolicy policy) {
        this.redactor = redactor;
        this.sanitizer = new Sanitizer(redactor);
        this.policy = policy;
    }

    /**
     * Evaluates one line of {@code file} (1-based {@code lineNumber}) and adds it to the figures; blank lines are
     * skipped and return empty.
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
        lines++;
        SanitizeResult result = sanitizer.sanitize(parsed.text(), policy);
        boolean flagged = result.flagged();
        List<PiiFinding> findings = redactor.find(parsed.text());
        if ("injection".equals(parsed.label())) {
            injectionTotal++;
            injectionDetected += flagged ? 1 : 0;
        } else if ("benign".equals(parsed.label())) {
            benignTotal++;
            benignFlagged += flagged ? 1 : 0;
            benignRedacted += findings.isEmpty() ? 0 : 1;
        }
        List<String> missed = parsed.spans() == null ? List.of() : scoreSpans(parsed, findings);
        String action = flagged ? policy.injectionAction().name() : "PASS";
        return Optional.of(new LineVerdict(file, lineNumber, parsed.label(), action, result.injection().score(),
                result.injection().rules(), findings.stream().map(PiiFinding::type).toList(), missed));
    }

    private List<String> scoreSpans(CorpusLine line, List<PiiFinding> findings) {
        List<String> missed = new ArrayList<>();
        for (CorpusLine.Span span : line.spans()) {
            Optional<PiiType> type = CorpusLine.redactorType(span.type());
            boolean overlapped = findings.stream().anyMatch(f -> f.overlaps(span.start(), span.end())
                    && type.map(t -> t == f.type()).orElse(true));
            if (type.isPresent()) {
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
            // Precision-ish: a finding counts against the rules when no labelled span of its own type is under it.
            if (line.spans().stream().noneMatch(s -> finding.overlaps(s.start(), s.end())
                    && CorpusLine.redactorType(s.type()).filter(t -> t == finding.type()).isPresent())) {
                unmatched.merge(finding.type(), 1, Integer::sum);
            }
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
        Map<PiiType, CorpusReport.Count> types = new EnumMap<>(PiiType.class);
        byType.forEach((t, c) -> types.put(t, new CorpusReport.Count(c[0], c[1])));
        Map<String, CorpusReport.Count> other = new TreeMap<>();
        notDetectable.forEach((t, c) -> other.put(t, new CorpusReport.Count(c[0], c[1])));
        return new CorpusReport(List.copyOf(files), lines,
                new CorpusReport.Count(injectionDetected, injectionTotal),
                new CorpusReport.Count(benignFlagged, benignTotal), benignRedacted,
                types, other, Map.copyOf(unmatched));
    }
}
