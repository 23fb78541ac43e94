package io.sluice.schemas.compat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;

/**
 * Build-time gate on the Avro contracts. Fails the build when
 * <ul>
 *   <li>a schema cannot read data written with any committed version of itself (BACKWARD, checked transitively
 *       against the whole git history of the file), or</li>
 *   <li>a record or field has no {@code doc}.</li>
 * </ul>
 * Usage: {@code CompatibilityCheck <schema dir>}. Public contracts in the directory are parsed before the
 * {@code internal/} ones, which may refer to them.
 */
public final class CompatibilityCheck {

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: CompatibilityCheck <directory of .avsc files>");
            System.exit(2);
        }
        List<String> problems = check(Path.of(args[0]), new GitHistory(Path.of(args[0])));
        if (!problems.isEmpty()) {
            System.err.println("Avro contract check failed:");
            problems.forEach(p -> System.err.println("  - " + p));
            System.exit(1);
        }
        System.out.println("Avro contracts: documented and backward compatible with their committed history");
    }

    /** Source of earlier versions of a schema file. */
    public interface History {
        /** Earlier committed texts of {@code file}, newest first; empty when there are none or no history. */
        List<String> versionsOf(Path file);
    }

    /** Returns every problem found; empty means the contracts pass. */
    public static List<String> check(Path dir, History history) throws IOException {
        List<Path> files = schemaFiles(dir);
        Map<Path, Schema> current = new LinkedHashMap<>();
        Schema.Parser parser = new Schema.Parser();
        List<String> problems = new ArrayList<>();
        // a schema may name a type of a file parsed after it: parse in rounds until a round parses nothing new
        Map<Path, String> failed = new LinkedHashMap<>();
        List<Path> left = files;
        while (!left.isEmpty()) {
            failed.clear();
            for (Path file : left) {
                try {
                    current.put(file, parser.parse(file.toFile()));
                } catch (RuntimeException e) { // Avro also throws NPE or AvroTypeException on bad input
                    failed.put(file, e.getMessage());
                }
            }
            if (failed.size() == left.size()) {
                break;
            }
            left = List.copyOf(failed.keySet());
        }
        failed.forEach((file, why) -> problems.add(dir.relativize(file) + " does not parse: " + why));
        for (Map.Entry<Path, Schema> entry : current.entrySet()) {
            String name = dir.relativize(entry.getKey()).toString();
            Schema reader = entry.getValue();
            missingDocs(reader, name, new ArrayList<>(), problems);
            int version = 0;
            for (String text : history.versionsOf(entry.getKey())) {
                version++;
                Schema writer;
                try {
                    writer = parserKnowingAllBut(current, entry.getKey()).parse(text);
                } catch (RuntimeException e) { // Avro also throws NPE or AvroTypeException on bad input
                    continue; // a committed version that never parsed was never used to write data
                }
                SchemaCompatibility.SchemaPairCompatibility result =
                        SchemaCompatibility.checkReaderWriterCompatibility(reader, writer);
                if (result.getType() != SchemaCompatibilityType.COMPATIBLE) {
                    problems.add(name + " cannot read data written with its committed version " + version
                            + " back (newest first): " + result.getResult().getIncompatibilities().stream()
                            .map(i -> i.getType() + " at " + i.getLocation() + " (" + i.getMessage() + ")")
                            .toList()
                            + ". Give new fields a default, keep removed fields' defaults, never change a type.");
                }
            }
        }
        return problems;
    }

    static List<Path> schemaFiles(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            // public contracts (depth 1) first: internal ones refer to them
            return walk.filter(p -> p.toString().endsWith(".avsc"))
                    .sorted(Comparator.comparingInt((Path p) -> dir.relativize(p).getNameCount())
                            .thenComparing(Path::toString))
                    .toList();
        }
    }

    private static Schema.Parser parserKnowingAllBut(Map<Path, Schema> current, Path excluded) {
        Schema.Parser parser = new Schema.Parser();
        Schema own = current.get(excluded);
        List<Schema> others = current.entrySet().stream()
                .filter(e -> !e.getKey().equals(excluded))
                .map(Map.Entry::getValue)
                .filter(s -> !s.getFullName().equals(own.getFullName()))
                .toList();
        parser.addTypes(others);
        return parser;
    }

    private static void missingDocs(Schema schema, String file, List<String> seen, List<String> problems) {
        switch (schema.getType()) {
            case RECORD -> {
                if (seen.contains(schema.getFullName())) {
                    return;
                }
                seen.add(schema.getFullName());
                if (blank(schema.getDoc())) {
                    problems.add(file + ": record " + schema.getFullName() + " has no doc");
                }
                for (Schema.Field field : schema.getFields()) {
                    if (blank(field.doc())) {
                        problems.add(file + ": field " + schema.getName() + "." + field.name() + " has no doc");
                    }
                    missingDocs(field.schema(), file, seen, problems);
                }
            }
            case ARRAY -> missingDocs(schema.getElementType(), file, seen, problems);
            case MAP -> missingDocs(schema.getValueType(), file, seen, problems);
            case UNION -> schema.getTypes().forEach(t -> missingDocs(t, file, seen, problems));
            case ENUM -> {
                if (blank(schema.getDoc())) {
                    problems.add(file + ": enum " + schema.getFullName() + " has no doc");
                }
            }
            default -> { }
        }
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }

    /** Committed versions from git; no history (not a checkout, git missing) means nothing to compare with. */
    static final class GitHistory implements History {
        private final Path dir;

        GitHistory(Path dir) {
            this.dir = dir;
        }

        @Override
        public List<String> versionsOf(Path file) {
            String top = git("rev-parse", "--show-toplevel");
            if (top == null) {
                System.err.println("warning: " + dir + " is not in a git checkout; schema history not checked");
                return List.of();
            }
            String relative = Path.of(top.strip()).relativize(file.toAbsolutePath().normalize()).toString();
            String log = git("log", "--format=%H", "--", relative);
            if (log == null || log.isBlank()) {
                return List.of();
            }
            List<String> versions = new ArrayList<>();
            for (String commit : log.strip().split("\\s+")) {
                String text = git("show", commit + ":" + relative);
                if (text != null && !versions.contains(text)) {
                    versions.add(text);
                }
            }
            return versions;
        }

        private String git(String... args) {
            List<String> command = new ArrayList<>(List.of("git", "-C", dir.toString()));
            command.addAll(List.of(args));
            try {
                Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
                String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                return process.waitFor() == 0 ? out : null;
            } catch (IOException e) {
                return null;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        }
    }
}
