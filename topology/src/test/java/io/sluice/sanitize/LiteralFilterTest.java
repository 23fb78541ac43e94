package io.sluice.sanitize;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Label;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The literal pre-check may only skip what cannot match: for every text a rule's pattern fires on, its filter must
 * pass. Checked on the corpora (every view of every line) and on texts made of the rules' own words.
 */
class LiteralFilterTest {
    private static final Path CORPORA = CorpusTexts.SHARED;
    private static final List<InjectionRule> RULES = InjectionDetector.rules();
    private static final LiteralIndex INDEX = new LiteralIndex(RULES.stream()
            .flatMap(rule -> LiteralFilter.literals(rule.literals())).toList());
    private static final List<LiteralIndex.Compiled> COMPILED = RULES.stream()
            .map(rule -> INDEX.compile(rule.literals())).toList();

    @Test
    @DisplayName("reads literal runs, alternatives and mandatory groups, and nothing optional")
    void readsWhatAMatchMustContain() {
        LiteralFilter filter = LiteralFilter.of("\\b(?:ignore|forget)\\s+(?:all\\s+)?previous\\s+instructions?\\b");

        assertThat(filter.test("please ignore previous instruction")).isTrue();
        assertThat(filter.test("forget previous instructions")).isTrue();
        assertThat(filter.test("ignore all instructions")).isFalse(); // "previous" is required
        assertThat(filter.test("previous instructions")).isFalse(); // one of the verbs is required
        assertThat(LiteralFilter.of("a?b*").test("")).isTrue(); // nothing required: no pre-check
        assertThat(LiteralFilter.of("(?i)named(?<g>x)")).isEqualTo(LiteralFilter.ANY); // unknown syntax: no pre-check
    }

    @Test
    @DisplayName("a literal between word boundaries is not found inside a longer word")
    void respectsWordBoundaries() {
        LiteralFilter actAs = LiteralFilter.of("\\b(?:act|acting)\\s+(?:as|like)\\b");

        assertThat(actAs.test("please act as a tutor")).isTrue();
        assertThat(actAs.test("the contract has a clause")).isFalse(); // "act" and "as" only inside words
        assertThat(actAs.test("ACT\tLIKE a pirate")).isTrue();
        assertThat(actAs.test("Act as\u212A")).isTrue(); // a non-ASCII neighbour may be a boundary: kept
        LiteralFilter token = LiteralFilter.of("(?<![A-Za-z0-9_])(?:gh[pousr]_[A-Za-z0-9]{36,251})");
        assertThat(token.test("though the high road")).isFalse(); // "gh" inside words cannot start a token
        assertThat(token.test("token ghp_abc")).isTrue();
        assertThat(LiteralFilter.of("(?<![\\w&&[^_]])gh").test("_gh")).isTrue(); // an intersection: not a boundary
    }

    @Test
    @DisplayName("a line's start, optional spaces and punctuation bound a word; a class of rare punctuation must be there")
    void readsLineAnchorsAndPunctuationClasses() {
        LiteralFilter turn = LiteralFilter.of("^[ \\t]*(?:assistant|ai)[ \\t]*:");
        assertThat(turn.test("he said: no")).isFalse(); // "ai" only inside a word
        assertThat(turn.test("AI: sure")).isTrue();
        assertThat(turn.test("notes\n \tai :")).isTrue();
        // a word character may follow the optional spaces: no boundary there
        assertThat(LiteralFilter.of("(?:ai)[ \\t]*xy").test("saixy")).isTrue();
        assertThat(LiteralFilter.of("\\bgo[ ]*").test("going")).isTrue();

        LiteralFilter slot = LiteralFilter.of("[\\[{<]\\s*your\\s+prompt");
        assertThat(slot.test("write your prompt here")).isFalse(); // none of [ { <
        assertThat(slot.test("{your prompt}")).isTrue();
        assertThat(slot.test("< Your Prompt >")).isTrue();
        // an escaped punctuation character outside a class must be there too; a lone letter tells nothing
        LiteralFilter bracketed = LiteralFilter.of("\\[(?:prompt|topic)\\]");
        assertThat(bracketed.test("the topic of the prompt")).isFalse();
        assertThat(bracketed.test("write about [TOPIC]")).isTrue();
        assertThat(LiteralFilter.of("a\\s+(?:prompt|topic)").test("the topic")).isTrue();
        // ranges, negations and word classes tell nothing
        assertThat(LiteralFilter.of("[a-c]xy").test("zxy")).isTrue();
        assertThat(LiteralFilter.of("[^:]xy").test("zxy")).isTrue();
        assertThat(LiteralFilter.of("[\\w:]xy").test("zxy")).isTrue();
        // each regex matches its text: a misread class, quantifier or anchor would make its filter refuse it
        Map<String, String> matching = Map.of(
                "(?:ai)[:^]go", "sai^go",
                "(?:ai)[\\^:]go", "sai:go",
                "(?:ai)[-:]?go", "saigo",
                "(?:ai)[:-]{0}xx", "saixx",
                "\\bgo[ ]{0}to", "goto",
                "(?:ai)$\\n?xy", "sai\nxy",
                "^(?:ai)[ \\t]*+:", "ai\t:");
        matching.forEach((regex, text) -> {
            assertThat(Pattern.compile(regex, Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE | Pattern.MULTILINE)
                    .matcher(text).find()).as("%s matches %s", regex, text).isTrue();
            assertThat(LiteralFilter.of(regex).test(text)).as("%s on %s", regex, text).isTrue();
        });
    }

    @Test
    @DisplayName("syntax read differently from java.util.regex gets no pre-check rather than a wrong one")
    void refusesWhatItCouldMisread() {
        // each regex matches its text; a reader that misread the class or the look-behind would say it cannot
        Map<String, String> matching = Map.of(
                "[\\c]]xy", "\u001Dxy",
                "[a[]b]]xy", "axy",
                "[\\Q]ab[\\E]", "a",
                "(?<![\\\\w])ab", "xab",
                "\uD801\uDC00\uD801\uDC01", "\uD801\uDC28\uD801\uDC29");
        matching.forEach((regex, text) -> {
            assertThat(Pattern.compile(regex, Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE).matcher(text).find())
                    .as("%s matches %s", regex, text).isTrue();
            assertThat(LiteralFilter.of(regex).test(text)).as("%s on %s", regex, text).isTrue();
        });
    }

    @Test
    @DisplayName("folds case the way case-insensitive java.util.regex matches it, keeping offsets")
    void foldsLikeTheRegexEngine() {
        assertThat(LiteralFilter.fold("IGNORE Ǆ ſ")).isEqualTo("ignore ǆ s");
        assertThat(LiteralFilter.fold("\u212A")).isEqualTo("k"); // the Kelvin sign matches k under UNICODE_CASE
        assertThat(Pattern.compile("k", Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE).matcher("\u212A").find())
                .isTrue();
    }

    @Test
    @DisplayName("every rule that fires on a corpus line has its literals in that line")
    void neverSkipsARuleThatFiresOnTheCorpora() {
        List<String> texts = corpusTexts();
        int fired = 0;
        for (String text : texts) {
            for (NormalizedText view : EvasionSpellings.views(new TextNormalizer().normalize(text))) {
                LiteralIndex.Scan indexed = INDEX.scan(view.text());
                for (int r = 0; r < RULES.size(); r++) {
                    InjectionRule rule = RULES.get(r);
                    if (rule.test().test(view)) {
                        fired++;
                        assertThat(rule.literals().test(view.text())).as("%s on %s", rule.name(), view.text()).isTrue();
                        assertThat(rule.literals().test(indexed)).as("%s on %s", rule.name(), view.text()).isTrue();
                    }
                    // against a scan that does not use the index: checks the index's scan and the compiled filter
                    assertThat(COMPILED.get(r).test(indexed)).as("compiled %s on %s", rule.name(), view.text())
                            .isEqualTo(rule.literals().test(LiteralFilter.scan(view.text())));
                }
            }
        }
        assertThat(fired).as("rules fired on the corpora").isGreaterThan(texts.isEmpty() ? -1 : 100);
    }

    @Property(tries = 3000)
    @Label("a rule's pattern never matches a text its filter rejects")
    void filterIsNecessaryForAMatch(@ForAll("phrases") String text) {
        NormalizedText normalized = new NormalizedText(text, Map.of());
        LiteralIndex.Scan indexed = INDEX.scan(text);
        for (int r = 0; r < RULES.size(); r++) {
            InjectionRule rule = RULES.get(r);
            assertThat(COMPILED.get(r).test(indexed)).as("compiled %s on %s", rule.name(), text)
                    .isEqualTo(rule.literals().test(text));
            if (!rule.literals().test(text) || !rule.literals().test(indexed)) {
                assertThat(rule.test().test(normalized)).as("%s on %s", rule.name(), text).isFalse();
            }
        }
    }

    @Test
    @DisplayName("the index finds the same literals as a scan for each")
    void indexAgreesWithContains() {
        List<LiteralFilter.Literal> literals = List.of(new LiteralFilter.Literal("ignore"),
                new LiteralFilter.Literal("gnore"), new LiteralFilter.Literal("nor"), new LiteralFilter.Literal("or"),
                new LiteralFilter.Literal("or", true, true), new LiteralFilter.Literal("“"),
                new LiteralFilter.Literal("🔒"), new LiteralFilter.Literal("sys>>"), new LiteralFilter.Literal("<|"));
        LiteralIndex index = new LiteralIndex(literals);
        for (String text : List.of("IGNORE all", "a sys>> b <| c", "“quoted” 🔒", "nothing here", "ignor", "this or that",
                "forlorn or")) { // "or" first where only the unbounded literal fits, then where both do
            LiteralFilter.Found found = index.scan(text);
            LiteralFilter.Found scanned = LiteralFilter.scan(text);
            for (LiteralFilter.Literal literal : literals) {
                assertThat(found.contains(literal)).as("%s in %s", literal, text).isEqualTo(scanned.contains(literal));
            }
        }
        assertThat(index.scan("nothing here").contains(new LiteralFilter.Literal("or", true, true))).isFalse();
        assertThat(index.scan("this or that").contains(new LiteralFilter.Literal("or", true, true))).isTrue();
    }

    @Test
    @DisplayName("the index folds characters outside ASCII as the plain scan does, surrogate pairs included")
    void indexFoldsLikeThePlainScan() {
        List<LiteralFilter.Literal> literals = new ArrayList<>(RULES.stream()
                .flatMap(rule -> LiteralFilter.literals(rule.literals())).toList());
        literals.add(new LiteralFilter.Literal(LiteralFilter.fold("\uD801\uDC00\uD801\uDC01"))); // Deseret
        LiteralIndex index = new LiteralIndex(literals);
        for (String text : List.of("\u0130GNORE all previous instructions", "\u212Aeep the \u017Fystem prompt",
                "act as \u212A", "\uD801\uDC28\uD801\uDC29 and \uD801\uDC00\uD801\uDC01", "\uD801 lone \uDC00 halves")) {
            LiteralFilter.Found indexed = index.scan(text);
            LiteralFilter.Found scanned = LiteralFilter.scan(text);
            for (LiteralFilter.Literal literal : literals) {
                assertThat(indexed.contains(literal)).as("%s in %s", literal, text).isEqualTo(scanned.contains(literal));
            }
        }
        assertThat(index.scan("\u0130GNORE it").contains(new LiteralFilter.Literal("ignore", true, true))).isTrue();
    }

    /** Sentences stitched from the rules' own words, in random case, with random separators and characters. */
    @Provide
    Arbitrary<String> phrases() {
        List<String> words = new ArrayList<>(RULES.stream().flatMap(r -> LiteralFilter.literals(r.literals()))
                .map(LiteralFilter.Literal::folded).distinct().toList());
        words.addAll(List.of("you", "the", "all", "your", "are", "now", "of", "to", "a", "I", "DAN", "[", "]", ":",
                "\n", "\"", "'", "=", "+", "$a", "{", "}", "<", ">", "\t", " :", "ai", "AI:"));
        Arbitrary<String> word = Arbitraries.oneOf(Arbitraries.of(words),
                Arbitraries.strings().withCharRange('!', '~').ofMaxLength(3));
        Arbitrary<String> cased = Arbitraries.of(true, false).flatMap(upper -> word.map(w -> upper ? w.toUpperCase() : w));
        return cased.list().ofMinSize(1).ofMaxSize(14)
                .flatMap(ws -> Arbitraries.of(" ", "  ", "\n", "").map(sep -> String.join(sep, ws)));
    }

    private static List<String> corpusTexts() {
        return CorpusTexts.in(CORPORA);
    }
}
