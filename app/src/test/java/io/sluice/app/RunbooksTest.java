package io.sluice.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The runbooks in {@code ops/runbooks} as the engineer an alert woke uses them: each says what its alert means, how
 * to confirm it and what to do, with a command to run; every {@code ./sluice} command in them is one the CLI takes,
 * and every call to the HTTP API carries an API key, as a Sluice with keys (docker-compose.yml's) requires.
 */
class RunbooksTest {
    private static final List<String> SECTIONS = List.of("**Means:**", "**Confirm**", "**Act**");
    private static final Pattern INLINE_SLUICE = Pattern.compile("`(\\./sluice [^`]+)`");

    @Test
    @DisplayName("every runbook says what its alert means, how to confirm it and what to do, in that order")
    void everyRunbookHasItsSections() {
        for (Path runbook : runbooks()) {
            String text = read(runbook);

            List<Integer> at = SECTIONS.stream().map(text::indexOf).toList();

            assertThat(at).as("%s: where %s start", runbook.getFileName(), SECTIONS).doesNotContain(-1).isSorted();
        }
    }

    @Test
    @DisplayName("every runbook has a ./sluice or kafka-* command to run")
    void everyRunbookHasACommand() {
        for (Path runbook : runbooks()) {
            assertThat(shellLines(read(runbook))).as(runbook.getFileName().toString())
                    .anyMatch(line -> line.startsWith("./sluice ") || line.matches("kafka-[a-z-]+\\.sh .*"));
        }
    }

    @Test
    @DisplayName("every ./sluice command in a runbook is one the CLI has, with options it takes")
    void sluiceCommandsExist() {
        List<String> commands = new ArrayList<>();
        for (Path runbook : runbooks()) {
            String text = read(runbook);
            List<String> found = new ArrayList<>(shellLines(text).stream()
                    .filter(line -> line.startsWith("./sluice ")).toList());
            Matcher inline = INLINE_SLUICE.matcher(text);
            while (inline.find()) {
                found.add(inline.group(1));
            }
            for (String command : found) {
                String[] words = words(command.substring("./sluice ".length())).toArray(String[]::new);

                assertThatCode(() -> SluiceCli.commandLine().parseArgs(words))
                        .as("%s: %s", runbook.getFileName(), command).doesNotThrowAnyException();
            }
            commands.addAll(found);
        }
        assertThat(commands).hasSizeGreaterThan(runbooks().size());
    }

    @Test
    @DisplayName("every call to the HTTP API's /v1 sends an API key, as docs/http.md says")
    void apiCallsSendAKey() {
        for (Path runbook : runbooks()) {
            read(runbook).lines().filter(line -> line.contains("curl") && line.contains("/v1/"))
                    .forEach(call -> assertThat(call).as(runbook.getFileName().toString())
                            .contains("-H \"Authorization: Bearer "));
        }
    }

    private static List<Path> runbooks() {
        List<Path> runbooks = OpsTools.files(OpsRulesTest.RUNBOOKS, ".md");
        assertThat(runbooks).isNotEmpty();
        return runbooks;
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The lines of the text's {@code bash} blocks, continued lines joined, comments left out. */
    private static List<String> shellLines(String markdown) {
        List<String> lines = new ArrayList<>();
        boolean inBash = false;
        StringBuilder line = new StringBuilder();
        for (String raw : markdown.lines().toList()) {
            String text = raw.strip();
            if (text.startsWith("```")) {
                inBash = text.equals("```bash");
            } else if (inBash && text.endsWith("\\")) {
                line.append(text, 0, text.length() - 1);
            } else if (inBash) {
                line.append(text);
                if (!line.isEmpty() && line.charAt(0) != '#') {
                    lines.add(line.toString());
                }
                line.setLength(0);
            }
        }
        return lines;
    }

    /** A command's words as a shell splits them, up to a pipe, a redirection, a comment or the next command. */
    private static List<String> words(String command) {
        List<String> words = new ArrayList<>();
        StringBuilder word = null;
        char quote = 0;
        for (char c : command.toCharArray()) {
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                } else {
                    word.append(c);
                }
            } else if (c == '"' || c == '\'') {
                quote = c;
                word = word == null ? new StringBuilder() : word;
            } else if ("|#;&>".indexOf(c) >= 0) {
                break;
            } else if (Character.isWhitespace(c)) {
                if (word != null) {
                    words.add(word.toString());
                    word = null;
                }
            } else {
                word = (word == null ? new StringBuilder() : word).append(c);
            }
        }
        if (word != null) {
            words.add(word.toString());
        }
        return words;
    }
}
