package io.sluice.app.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bench/compare.sh}, which runs {@code ./sluice bench pipeline} for two sides in alternating order and sums the
 * runs up. The launcher it calls is a stand-in that records each call and prints a figure line the way the bench
 * does, with outcomes a second chosen per call, so that the order, the settings and the medians can be checked.
 */
class CompareScriptTest {
    private static final Path SCRIPT = Path.of("..", "bench", "compare.sh").toAbsolutePath().normalize();

    @TempDir
    Path dir;
    private Path calls;
    private Path launcher;

    @BeforeEach
    void aLauncherThatPrintsFigures() throws IOException {
        calls = dir.resolve("calls");
        launcher = dir.resolve("sluice");
        // the n-th call answers FAKE_RATES' n-th rate; FAKE_UNACCOUNTED on the call it names
        Files.writeString(launcher, """
                #!/usr/bin/env bash
                echo "$*" >> "%s"
                n=$(wc -l < "%s")
                rate=$(echo "$FAKE_RATES" | cut -d, -f"$n")
                lost=0; [ "$n" = "${FAKE_UNACCOUNTED:-0}" ] && lost=3
                echo "warm-up progress on stderr" >&2
                for scenario in closed light; do
                  echo '{"scenario":"'$scenario'","outcomesPerSec":'$rate',"unaccounted":'$lost',"duplicates":0,\
                "latencyMs":{"p50":10,"p99":'$((rate * 2))'},"overheadMs":{"p50":5,"p99":9},\
                "cpu":{"usPerRequest":{"total":1000.5,"streamThreads":400},"allocatedKiBPerRequest":{"total":200}},\
                "recordsPerRequest":23.4}'
                done
                """.formatted(calls, calls), StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    @Test
    @DisplayName("the sides alternate round by round, each with its settings, and each figure shows every run and its median")
    void alternatesAndSumsUp() throws Exception {
        Result result = compare(Map.of("FAKE_RATES", "100,400,500,300,200,600"), "topics.partitions=6", "");

        assertThat(result.exit()).isZero();
        // rounds: A B, B A, A B
        assertThat(Files.readAllLines(calls)).extracting(call -> call.contains("--set topics.partitions=6") ? "A" : "B")
                .containsExactly("A", "B", "B", "A", "A", "B");
        assertThat(Files.readAllLines(calls)).allSatisfy(call -> assertThat(call)
                .startsWith("bench pipeline --scenarios closed,light --warmup 40000 -n 30000 --work-dir "));
        assertThat(result.out())
                .contains("closed (3 rounds; each run, then the median)")
                .contains("| figure | A: topics.partitions=6 | B: defaults |")
                .contains("| outcomes/s | 100; 300; 200 (**200**) | 400; 500; 600 (**500**) |")
                .contains("| p99 ms | 200; 600; 400 (**400**) | 800; 1,000; 1,200 (**1,000**) |")
                .contains("| records/req | 23.4; 23.4; 23.4 (**23.4**) |")
                .contains("light (3 rounds");
    }

    @Test
    @DisplayName("a run that lost or repeated an outcome fails the comparison, after the table")
    void unaccountedFails() throws Exception {
        Result result = compare(Map.of("FAKE_RATES", "1,2", "FAKE_UNACCOUNTED", "2", "ROUNDS", "1"), "", "x=1");

        assertThat(result.exit()).isEqualTo(1);
        assertThat(result.out()).contains("| unaccounted+dup | 0 (**0**) | 3 (**3**) |");
    }

    @Test
    @DisplayName("a run that fails (its warm-up lost an outcome) fails the comparison, naming the run")
    void failedRunFails() throws Exception {
        Files.writeString(launcher, Files.readString(launcher) + "[ \"$n\" = 1 ] && exit 1; exit 0\n");

        Result result = compare(Map.of("FAKE_RATES", "1,2", "ROUNDS", "1"), "", "x=1");

        assertThat(result.exit()).isEqualTo(1);
        assertThat(result.out()).contains("| outcomes/s | 1 (**1**) | 2 (**2**) |");
        assertThat(result.err()).contains("a run failed").contains("round 1, side 1 (exit 1;");
    }

    @Test
    @DisplayName("each side is built in a copy: a revision from git, the working tree as it is, built once per tree")
    void buildsCopies() throws Exception {
        // a repository with the script and a launcher whose 'test' (the build) leaves a mark in its own tree
        Path repo = Files.createDirectories(dir.resolve("repo/bench"));
        Files.copy(SCRIPT, repo.resolve("compare.sh"));
        Path root = repo.getParent();
        Files.writeString(root.resolve("sluice"), """
                #!/usr/bin/env bash
                here="$(cd "$(dirname "$0")" && pwd)"
                if [ "$1" = test ]; then echo "$*" > "$here/built"; exit 0; fi
                echo "$here $*" >> "%s"
                echo '{"scenario":"closed","outcomesPerSec":5,"unaccounted":0,"duplicates":0,"latencyMs":{"p50":1,"p99":2},\
                "cpu":{"usPerRequest":{"total":1,"streamThreads":1},"allocatedKiBPerRequest":{"total":1}},"recordsPerRequest":1}'
                """.formatted(calls), StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(root.resolve("sluice"), PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.writeString(root.resolve("committed.txt"), "in HEAD");
        Files.writeString(root.resolve("deleted.txt"), "in HEAD, deleted since");
        git(root, "init", "-q");
        git(root, "add", "-A");
        git(root, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "one");
        Files.delete(root.resolve("deleted.txt"));
        Files.writeString(root.resolve("untracked.txt"), "not committed");
        Path work = dir.resolve("work");

        Result sameTree = run(root.resolve("bench/compare.sh"), Map.of("ROUNDS", "1"), "", "x=1");
        assertThat(sameTree.exit()).as(sameTree.err()).isZero();
        assertThat(work.resolve("tree-1/built")).hasContent("test -q -DskipTests");
        assertThat(work.resolve("tree-1/untracked.txt")).exists();
        assertThat(work.resolve("tree-1/deleted.txt")).doesNotExist();
        assertThat(work.resolve("tree-2")).doesNotExist();
        assertThat(Files.readAllLines(calls)).allSatisfy(call -> assertThat(call).startsWith(work.resolve("tree-1") + " "));

        Result revision = run(root.resolve("bench/compare.sh"), Map.of("ROUNDS", "1"), "@HEAD", "");
        assertThat(revision.exit()).as(revision.err()).isZero();
        assertThat(work.resolve("tree-1/deleted.txt")).exists(); // HEAD as committed
        assertThat(work.resolve("tree-1/untracked.txt")).doesNotExist();
        assertThat(work.resolve("tree-2/untracked.txt")).exists();

        Result unknown = run(root.resolve("bench/compare.sh"), Map.of(), "@no-such-revision", "");
        assertThat(unknown.exit()).isEqualTo(2);
        assertThat(unknown.err()).contains("'no-such-revision' is not a revision");
    }

    @Test
    @DisplayName("a side that is neither @REVISION nor KEY=VALUE, or a missing side, is refused with what to write")
    void misuse() throws Exception {
        Result wrongWord = compare(Map.of(), "topics.partitions=6", "oops");
        assertThat(wrongWord.exit()).isEqualTo(2);
        assertThat(wrongWord.err()).contains("'oops' is neither @REVISION nor KEY=VALUE");

        Result oneSide = compare(Map.of(), "topics.partitions=6");
        assertThat(oneSide.exit()).isEqualTo(2);
        assertThat(oneSide.err()).contains("usage: bench/compare.sh SIDE_A SIDE_B");
        assertThat(calls).doesNotExist();
    }

    private record Result(int exit, String out, String err) {}

    private static void git(Path repo, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("git"));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).directory(repo.toFile()).inheritIO().start();
        assertThat(process.waitFor(60, TimeUnit.SECONDS) && process.exitValue() == 0).as("git " + args[0]).isTrue();
    }

    private Result compare(Map<String, String> env, String... sides) throws Exception {
        Map<String, String> withLauncher = new java.util.HashMap<>(env);
        withLauncher.put("SLUICE_LAUNCHER", launcher.toString());
        return run(SCRIPT, withLauncher, sides);
    }

    private Result run(Path script, Map<String, String> env, String... sides) throws Exception {
        List<String> command = new ArrayList<>(List.of("bash", script.toString()));
        command.addAll(List.of(sides));
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile())
                .redirectOutput(dir.resolve("out").toFile()).redirectError(dir.resolve("err").toFile());
        builder.environment().remove("SLUICE_LAUNCHER");
        builder.environment().put("WORK", dir.resolve("work").toString());
        builder.environment().putAll(env);
        Process process = builder.start();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("the script ends").isTrue();
        return new Result(process.exitValue(), Files.readString(dir.resolve("out")), Files.readString(dir.resolve("err")));
    }
}
