package io.sluice.sanitize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class CorpusEvaluatorTest {
    /** The shared corpora, beside the repository; surefire runs in the module directory (topology/). */
    private static final Path CORPORA = Path.of("..", "..", "shared", "corpora");

    private static CorpusReport evaluate(String... files) throws IOException {
        return evaluate(false, files);
    }

    /** @param heldOut only the labelled lines the shipped model did not train on */
    private static CorpusReport evaluate(boolean heldOut, String... files) throws IOException {
        assumeTrue(Files.isDirectory(CORPORA), "the corpora are not at " + CORPORA.toAbsolutePath().normalize()
                + "; these figures are measured only where /work/shared/corpora exists");
        CorpusEvaluator evaluator = new CorpusEvaluator(new Sanitizer(), SanitizePolicy.defaults()
                .withEntities(PiiType.ENTITIES), heldOut);
        for (String file : files) {
            List<String> lines = Files.readAllLines(CORPORA.resolve(file));
            for (int i = 0; i < lines.size(); i++) {
                evaluator.add(file, i + 1, lines.get(i));
            }
        }
        return evaluator.report();
    }

    @Test
    @DisplayName("pattern-detectable PII is found in pii.jsonl at the target recall")
    void piiRecall() throws IOException {
        CorpusReport report = evaluate("pii.jsonl");

        assertThat(report.piiByType().get(PiiType.CREDIT_CARD).rate()).isGreaterThanOrEqualTo(0.99);
        assertThat(report.piiByType().get(PiiType.EMAIL_ADDRESS).rate()).isGreaterThanOrEqualTo(0.99);
        assertThat(report.piiByType().get(PiiType.US_SSN).rate()).isGreaterThanOrEqualTo(0.99);
        assertThat(report.piiByType().get(PiiType.IBAN_CODE).rate()).isGreaterThanOrEqualTo(0.99);
        assertThat(report.piiByType().get(PiiType.PHONE_NUMBER).rate()).isGreaterThanOrEqualTo(0.95);
        assertThat(report.piiByType().get(PiiType.IP_ADDRESS).rate()).isGreaterThanOrEqualTo(0.95);
    }

    @Test
    @DisplayName("people and street addresses in pii.jsonl are found at 80% recall or more, 80% precision or more")
    void namesAndAddresses() throws IOException {
        CorpusReport report = evaluate("pii.jsonl");

        for (PiiType type : List.of(PiiType.PERSON, PiiType.STREET_ADDRESS)) {
            assertThat(report.piiByType().get(type).rate()).as(type + " recall").isGreaterThanOrEqualTo(0.80);
            assertThat(report.findingsOnSpans().get(type).rate()).as(type + " precision").isGreaterThanOrEqualTo(0.80);
        }
        assertThat(report.piiByType()).containsKey(PiiType.ORGANIZATION);
        assertThat(report.notSearched()).containsKeys("GPE", "DATE_TIME").doesNotContainKeys("PERSON");
    }

    @Test
    @DisplayName("every secret in secrets.jsonl is found")
    void secretRecall() throws IOException {
        CorpusReport report = evaluate("secrets.jsonl");

        assertThat(report.pii().rate()).isEqualTo(1.0);
        assertThat(report.findingsOnSpans().values()).allMatch(c -> c.hits() == c.total());
    }

    @Test
    @DisplayName("on lines the model never saw, rules and model together catch more injections than the rules alone")
    void injectionRecall() throws IOException {
        CorpusReport heldOut = evaluate(true, "injection.jsonl");
        CorpusReport all = evaluate("injection.jsonl");

        assertThat(all.injection().combined().total()).isEqualTo(354);
        assertThat(all.injection().rules().rate()).isGreaterThanOrEqualTo(0.83);
        assertThat(heldOut.injection().combined().total()).isBetween(50, 100);
        // defaults() flags: measured 97.1% held back at flag (94.3% at block); the 95% target is not reached at block
        assertThat(heldOut.injection().combined().rate()).isGreaterThanOrEqualTo(0.90)
                .isGreaterThan(heldOut.injection().rules().rate());
    }

    @Test
    @DisplayName("benign prompts are not flagged: at most 1% of benign.jsonl and benign-hard.jsonl, none held back")
    void benignFalsePositives() throws IOException {
        assertThat(evaluate("benign.jsonl", "benign-hard.jsonl").benign().combined().rate()).isLessThanOrEqualTo(0.01);
        assertThat(evaluate(true, "benign.jsonl", "benign-hard.jsonl").benign().combined().hits()).isZero();
    }

    @Test
    @DisplayName("our own prompts about prompts, held back from training, are rarely blocked, and no more often than by"
            + " the rules alone")
    void ownHardBenign() throws IOException {
        Path own = Path.of("..", "corpora", "benign-about-prompts.jsonl");
        SanitizePolicy block = new SanitizePolicy(SanitizePolicy.InjectionAction.BLOCK, 1.0,
                SanitizePolicy.PiiAction.REDACT);
        CorpusEvaluator evaluator = new CorpusEvaluator(new Sanitizer(), block, true);
        List<String> lines = Files.readAllLines(own);
        for (int i = 0; i < lines.size(); i++) {
            evaluator.add(own.getFileName().toString(), i + 1, lines.get(i));
        }
        CorpusReport report = evaluator.report();

        // Measured 1 of the 113 held back (the rules alone: 3 of 113). 113 lines cannot pin a 1% rate; out of fold,
        // over the 482 training lines, 4 (0.8%): docs/stages/injection-model.md.
        assertThat(report.benign().combined().total()).isGreaterThanOrEqualTo(50);
        assertThat(report.benign().combined().rate()).isLessThanOrEqualTo(0.05);
        assertThat(report.benign().combined().hits()).isLessThanOrEqualTo(report.benign().rules().hits());
    }

    @Test
    @DisplayName("a malformed line is reported with its file and line number")
    void malformedLineNamesFileAndLine() {
        CorpusEvaluator evaluator = new CorpusEvaluator(SanitizePolicy.defaults());
        evaluator.add("x.jsonl", 1, "{\"text\": \"hi\", \"label\": \"benign\"}");

        assertThatThrownBy(() -> evaluator.add("x.jsonl", 2, "{not json"))
                .isInstanceOf(CorpusFormatException.class).hasMessageStartingWith("x.jsonl:2: not valid JSON");
        assertThatThrownBy(() -> evaluator.add("x.jsonl", 3, "{\"text\": \"hi\", \"label\": \"spam\"}"))
                .hasMessageStartingWith("x.jsonl:3: \"label\" must be");
        assertThatThrownBy(() -> evaluator.add("x.jsonl", 4, "{\"text\": \"hi\", \"spans\": [{\"type\": \"X\", \"start\": 0, \"end\": 9}]}"))
                .hasMessageContaining("x.jsonl:4: span [0, 9) is outside");
    }

    @Test
    @DisplayName("spans count as found when a finding of the mapped type overlaps them; others are reported apart")
    void scoresSpans() {
        CorpusEvaluator evaluator = new CorpusEvaluator(SanitizePolicy.defaults());

        evaluator.add("s.jsonl", 1, "{\"text\": \"Ann: ann@example.com\", \"spans\": [{\"type\": \"EMAIL_ADDRESS\", \"start\": 5, \"end\": 20},"
                + " {\"type\": \"PERSON\", \"start\": 0, \"end\": 3}]}");
        evaluator.add("s.jsonl", 2, "{\"text\": \"call 123-45-6789\", \"spans\": [{\"type\": \"PHONE_NUMBER\", \"start\": 5, \"end\": 16}]}");
        CorpusReport report = evaluator.report();

        assertThat(report.piiByType().get(PiiType.EMAIL_ADDRESS)).isEqualTo(new CorpusReport.Count(1, 1));
        assertThat(report.piiByType().get(PiiType.PHONE_NUMBER)).isEqualTo(new CorpusReport.Count(0, 1));
        assertThat(report.findingsOnSpans().get(PiiType.US_SSN)).isEqualTo(new CorpusReport.Count(0, 1));
        assertThat(report.notSearched().get("PERSON")).isEqualTo(new CorpusReport.Count(0, 1));
        assertThat(report.toJson()).contains("\"pii\":{\"recall\":0.5").contains("\"notSearched\":{\"PERSON\"");
    }
}
