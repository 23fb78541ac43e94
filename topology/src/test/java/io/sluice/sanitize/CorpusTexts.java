package io.sluice.sanitize;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** The texts of labelled corpus files, for tests that run something over every line. */
final class CorpusTexts {
    /** The repository's own corpora. */
    static final Path OURS = Path.of("..", "corpora");
    /** The development corpora beside the repository, when they are there. */
    static final Path SHARED = Path.of("..", "..", "shared", "corpora");

    private CorpusTexts() {}

    /** The {@code text} of every line of every {@code .jsonl} file in {@code directory}, by file name; none if missing. */
    static List<String> in(Path directory) {
        if (!Files.isDirectory(directory)) {
            return List.of();
        }
        ObjectMapper json = new ObjectMapper();
        try (Stream<Path> files = Files.list(directory)) {
            List<String> texts = new ArrayList<>();
            for (Path file : files.filter(f -> f.toString().endsWith(".jsonl")).sorted().toList()) {
                for (String line : Files.readAllLines(file)) {
                    if (!line.isBlank()) {
                        texts.add(json.readTree(line).path("text").asText());
                    }
                }
            }
            return texts;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
