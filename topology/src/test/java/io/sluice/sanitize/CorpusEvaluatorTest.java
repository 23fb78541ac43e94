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
        assumeTrue(Files.isDirectory(CORPORA), "the corpora are not at " + CORPORA.toAbsolutePath().normalize()
                + "; these figures are measured only where /work/shared/corpora exists");
        CorpusEvaluator evaluator = new CorpusEvaluator(SanitizePolicy.defaults());
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
        assertThat(report.notPatternDetectable()).containsKeys("PERSON", "STREET_ADDRESS", "ORGANIZATION");
    }

    @Test
    @DisplayName("every secret in secrets.jsonl is found")
    void secretRecall() throws IOException {
        CorpusReport report = evaluate("secrets.jsonl");

        assertThat(report.pii().rate()).isEqualTo(1.0);
        assertThat(report.unmatchedFindings()).isEmpty();
    }

    @Test
    @DisplayName("injection recall is at least 83% (target 90%, not reached with generalizing rules)")
    void injectionRecall() throws IOException {
        CorpusReport report = evaluate("injection.jsonl");

        assertThat(report.injection().total()).isEqualTo(354);
        assertThat(report.injection().rate()).isGreaterThanOrEqualTo(0.83);
    }

    @Test
    @DisplayName("benign prompts are not flagged: at most 2% of benign.jsonl and none of benign-hard.jsonl")
    void benignFalsePositives() throws IOException {
        assertThat(evaluate("benign.jsonl").benignFlagged().rate()).isLessThanOrEqualTo(0.02);
        assertThat(evaluate("benign-hard.jsonl").benignFlagged().hits()).isZero();
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
        assertThat(report.unmatchedFindings()).containsEntry(PiiType.US_SSN, 1);
        assertThat(report.notPatternDetectable().get("PERSON")).isEqualTo(new CorpusReport.Count(0, 1));
        assertThat(report.toJson()).contains("\"pii\":{\"recall\":0.5").contains("\"notPatternDetectable\":{\"PERSON\"");
    }
}
