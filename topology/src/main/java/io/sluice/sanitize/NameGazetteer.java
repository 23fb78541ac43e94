package io.sluice.sanitize;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * Given names and surnames of many countries (resources {@code entities/first-names.txt} and {@code surnames.txt},
 * taken from Datafaker's locale files; see {@code corpora/README.md}). A name that is also an ordinary English word
 * ("May", "Bill", "Rose", marked {@code ~} in the files) is <em>ambiguous</em>: it counts only with more evidence
 * beside it.
 */
final class NameGazetteer {
    enum Kind { NONE, NAME, AMBIGUOUS }

    private static final NameGazetteer SHIPPED = new NameGazetteer(load("first-names.txt"), load("surnames.txt"));

    private final Map<String, Boolean> given;
    private final Map<String, Boolean> family;

    NameGazetteer(Map<String, Boolean> given, Map<String, Boolean> family) {
        this.given = given;
        this.family = family;
    }

    static NameGazetteer shipped() {
        return SHIPPED;
    }

    Kind given(String word) {
        return kind(given, word);
    }

    Kind family(String word) {
        return kind(family, word);
    }

    private static Kind kind(Map<String, Boolean> names, String word) {
        Boolean ambiguous = names.get(word);
        return ambiguous == null ? Kind.NONE : ambiguous ? Kind.AMBIGUOUS : Kind.NAME;
    }

    /** Name → whether it is ambiguous. */
    private static Map<String, Boolean> load(String file) {
        String resource = "/io/sluice/sanitize/entities/" + file;
        Map<String, Boolean> names = new HashMap<>();
        try (InputStream in = NameGazetteer.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("name gazetteer: resource " + resource + " is missing");
            }
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                String name = line.strip();
                if (!name.isEmpty()) {
                    boolean ambiguous = name.charAt(0) == '~';
                    names.put(ambiguous ? name.substring(1) : name, ambiguous);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("name gazetteer: cannot read " + resource, e);
        }
        return Map.copyOf(names);
    }
}
