package io.sluice.sanitize;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The figures {@link CorpusEvaluator} computed: injection recall and benign false positives per file, for the
 * combined verdict and for the rules and the model each on its own; per-type span recall and finding precision; the
 * types not searched for; and benign lines the redactor changed.
 *
 * @param skippedTrained labelled lines left out because the model trained on them ({@code --held-out})
 * @param withModel      whether the model took part in the verdict (else "combined" is the rules')
 */
public record CorpusReport(List<String> files, int lines, int skippedTrained, boolean withModel, Parts injection,
                           Map<String, Parts> benignByFile, Map<String, Integer> benignRedacted,
                           Map<PiiType, Count> piiByType, Map<PiiType, Count> findingsOnSpans,
                           Map<String, Count> notSearched) {

    /** {@code hits} out of {@code total}. */
    public record Count(int hits, int total) {
        public double rate() {
            return total == 0 ? 0 : Math.round(10_000.0 * hits / total) / 10_000.0;
        }

        Count plus(Count other) {
            return new Count(hits + other.hits, total + other.total);
        }

        @Override
        public String toString() {
            return String.format("%.2f%% (%d of %d)", 100 * rate(), hits, total);
        }
    }

    /** How many lines the combined verdict, the rules alone and the model alone flagged. */
    public record Parts(Count combined, Count rules, Count model) {
        Parts plus(Parts other) {
            return new Parts(combined.plus(other.combined), rules.plus(other.rules), model.plus(other.model));
        }
    }

    /** All benign files together. */
    public Parts benign() {
        Count none = new Count(0, 0);
        return benignByFile.values().stream().reduce(new Parts(none, none, none), Parts::plus);
    }

    public Count pii() {
        return piiByType.values().stream().reduce(new Count(0, 0), Count::plus);
    }

    /** The figures as one JSON object; sections without labelled lines are left out. */
    public String toJson() {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("files", files);
        root.put("lines", lines);
        if (skippedTrained > 0) {
            root.put("skippedTrainedOn", skippedTrained);
        }
        root.put("verdict", withModel ? "rules+model" : "rules");
        if (injection.combined().total() > 0) {
            root.put("injection", parts("recall", injection));
        }
        if (!benignByFile.isEmpty()) {
            Map<String, Object> benign = parts("falsePositiveRate", benign());
            Map<String, Object> byFile = new LinkedHashMap<>();
            benignByFile.forEach((f, p) -> {
                Map<String, Object> file = parts("falsePositiveRate", p);
                file.put("redacted", benignRedacted.get(f));
                byFile.put(f, file);
            });
            benign.put("byFile", byFile);
            root.put("benign", benign);
        }
        if (!piiByType.isEmpty()) {
            Map<String, Object> pii = counted("recall", pii(), "found");
            Map<String, Object> types = new LinkedHashMap<>();
            piiByType.forEach((t, c) -> {
                Map<String, Object> type = counted("recall", c, "found");
                Count precision = findingsOnSpans.getOrDefault(t, new Count(0, 0));
                type.put("precision", precision.rate());
                type.put("findings", precision.total());
                type.put("findingsOnNoSpan", precision.total() - precision.hits());
                types.put(t.name(), type);
            });
            pii.put("byType", types);
            root.put("pii", pii);
        }
        if (!notSearched.isEmpty()) {
            Map<String, Object> other = new LinkedHashMap<>();
            notSearched.forEach((t, c) -> other.put(t, counted("overlapRate", c, "overlapped")));
            root.put("notSearched", other);
        }
        try {
            return new ObjectMapper().writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("corpus report: cannot write JSON", e);
        }
    }

    private static Map<String, Object> parts(String rateName, Parts p) {
        Map<String, Object> out = counted(rateName, p.combined(), "flagged");
        out.put("rules", counted(rateName, p.rules(), "flagged"));
        out.put("model", counted(rateName, p.model(), "flagged"));
        return out;
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
        out.add("files: " + String.join(", ", files) + " (" + lines + " lines"
                + (skippedTrained > 0 ? "; " + skippedTrained + " the model trained on left out" : "") + ")");
        String verdict = withModel ? "combined" : "rules (model off)";
        if (injection.combined().total() > 0) {
            out.add("injection recall: " + verdict + " " + injection.combined() + "; rules alone " + injection.rules()
                    + "; model alone " + injection.model());
        }
        if (!benignByFile.isEmpty()) {
            Parts all = benign();
            out.add("benign false positives: " + verdict + " " + all.combined() + "; rules alone " + all.rules()
                    + "; model alone " + all.model());
            if (benignByFile.size() > 1) {
                benignByFile.forEach((f, p) -> out.add(String.format("  %-28s %s; rules %s; model %s; %d redacted", f,
                        p.combined(), p.rules(), p.model(), benignRedacted.get(f))));
            } else {
                out.add("  lines changed by the redactor: " + benignRedacted.values().iterator().next());
            }
        }
        if (!piiByType.isEmpty()) {
            out.add("pii recall: " + pii() + " spans");
            piiByType.forEach((t, c) -> out.add(String.format("  %-22s recall %s, precision %s", t, c,
                    findingsOnSpans.getOrDefault(t, new Count(0, 0)))));
        }
        if (!notSearched.isEmpty()) {
            out.add("not searched for (not counted in recall): " + notSearched.entrySet().stream()
                    .map(e -> e.getKey() + "=" + e.getValue().total()).toList());
        }
        return out;
    }
}
