package io.sluice.sanitize;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The figures {@link CorpusEvaluator} computed: injection recall, benign false positives (flagged, and separately
 * changed by the redactor), per-type span recall, types rules cannot detect, and findings that match no label.
 */
public record CorpusReport(List<String> files, int lines, Count injection, Count benignFlagged, int benignRedacted,
                           Map<PiiType, Count> piiByType, Map<String, Count> notPatternDetectable,
                           Map<PiiType, Integer> unmatchedFindings) {

    /** {@code hits} out of {@code total}. */
    public record Count(int hits, int total) {
        public double rate() {
            return total == 0 ? 0 : Math.round(10_000.0 * hits / total) / 10_000.0;
        }
    }

    public Count pii() {
        int hits = piiByType.values().stream().mapToInt(Count::hits).sum();
        int total = piiByType.values().stream().mapToInt(Count::total).sum();
        return new Count(hits, total);
    }

    /** The figures as one JSON object; sections without labelled lines are left out. */
    public String toJson() {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("files", files);
        root.put("lines", lines);
        if (injection.total() > 0) {
            root.put("injection", counted("recall", injection, "detected"));
        }
        if (benignFlagged.total() > 0) {
            Map<String, Object> benign = new LinkedHashMap<>();
            benign.put("falsePositiveRate", benignFlagged.rate());
            benign.put("flagged", benignFlagged.hits());
            benign.put("total", benignFlagged.total());
            benign.put("redacted", benignRedacted);
            benign.put("redactedRate", new Count(benignRedacted, benignFlagged.total()).rate());
            root.put("benign", benign);
        }
        if (!piiByType.isEmpty()) {
            Map<String, Object> pii = new LinkedHashMap<>();
            pii.put("recall", pii().rate());
            pii.put("found", pii().hits());
            pii.put("total", pii().total());
            Map<String, Object> types = new LinkedHashMap<>();
            piiByType.forEach((t, c) -> types.put(t.name(), counted("recall", c, "found")));
            pii.put("byType", types);
            Map<String, Object> extra = new LinkedHashMap<>();
            unmatchedFindings.entrySet().stream().sorted(Map.Entry.comparingByKey())
                    .forEach(e -> extra.put(e.getKey().name(), e.getValue()));
            pii.put("unmatchedFindings", extra);
            root.put("pii", pii);
        }
        if (!notPatternDetectable.isEmpty()) {
            Map<String, Object> other = new LinkedHashMap<>();
            notPatternDetectable.forEach((t, c) -> other.put(t, counted("overlapRate", c, "overlapped")));
            root.put("notPatternDetectable", other);
        }
        try {
            return new ObjectMapper().writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("corpus report: cannot write JSON", e);
        }
    }

    private static Map<String, Object> counted(String rateName, Count c, String hitsName) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put(rateName, c.rate());
        out.put(hitsName, c.hits());
        out.put("total", c.total());
        return out;
    }

    /** A few lines for people; the JSON carries the same figures for scripts. */
    public List<String> summary() {
        List<String> out = new ArrayList<>();
        out.add("files: " + String.join(", ", files) + " (" + lines + " lines)");
        if (injection.total() > 0) {
            out.add(String.format("injection recall: %.2f%% (%d of %d flagged)", 100 * injection.rate(),
                    injection.hits(), injection.total()));
        }
        if (benignFlagged.total() > 0) {
            out.add(String.format("benign false positives: %.2f%% (%d of %d flagged); %d changed by the redactor",
                    100 * benignFlagged.rate(), benignFlagged.hits(), benignFlagged.total(), benignRedacted));
        }
        if (!piiByType.isEmpty()) {
            out.add(String.format("pii recall: %.2f%% (%d of %d spans)", 100 * pii().rate(), pii().hits(), pii().total()));
            piiByType.forEach((t, c) -> out.add(String.format("  %-22s %6.2f%% (%d of %d)", t, 100 * c.rate(), c.hits(), c.total())));
            if (!unmatchedFindings.isEmpty()) {
                out.add("findings on no labelled span of their type: " + unmatchedFindings);
            }
        }
        if (!notPatternDetectable.isEmpty()) {
            out.add("not pattern-detectable (need a model, not counted in recall): " + notPatternDetectable.entrySet().stream()
                    .map(e -> e.getKey() + "=" + e.getValue().total()).toList());
        }
        return out;
    }
}
