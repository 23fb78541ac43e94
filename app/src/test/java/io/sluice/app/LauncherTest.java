package io.sluice.app;

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
 * The launcher, {@code ./sluice}, as a newcomer's first demo after a build meets it: a copy of the script beside a
 * built jar, and a JDK 25 whose {@code java} only records how it was called and answers as the real one would (the
 * argument check's exit code, a training recording, a cache written). What is checked is the order of the JVMs the
 * launcher starts and what it exits with.
 */
class LauncherTest {
    private static final Path SCRIPT = Path.of("..", "sluice").toAbsolutePath().normalize();

    @TempDir
    Path root;
    private Path calls;

    @BeforeEach
    void aBuiltCheckoutAndAFakeJdk() throws IOException {
        Files.copy(SCRIPT, root.resolve("sluice"));
        Files.createDirectories(root.resolve("app/target/lib"));
        Files.writeString(root.resolve("app/target/sluice-app.jar"), "");
        Path jdk = Files.createDirectories(root.resolve("jdk/bin"));
        Files.writeString(root.resolve("jdk/release"), "JAVA_VERSION=\"25.0.1\"\nJAVA_RUNTIME_VERSION=\"25.0.1+8\"\n");
        calls = root.resolve("calls");
        // one line per start: SLUICE_CONFIG and the arguments; then what the real JVM would do that the launcher reads
        executable(jdk.resolve("java"), """
                #!/usr/bin/env bash
                echo "config=${SLUICE_CONFIG:-none} $*" >> "%s"
                case " $* " in
                  *" -version "*) exit 0 ;;
                  *-Dsluice.checkArgsOnly=true*) exit "${FAKE_CHECK_EXIT:-0}" ;;
                esac
                for a in "$@"; do
                  case "$a" in
                    -XX:AOTConfiguration=*) config="${a#*=}" ;;
                    -XX:AOTCache=*) cache="${a#*=}" ;;
                    -XX:AOTMode=*) mode="${a#*=}" ;;
                  esac
                done
                if [ "${mode:-}" = record ]; then echo recorded > "$config"; fi
                if [ "${mode:-}" = create ]; then echo cache > "$cache"; fi
                exit 0
                """.formatted(calls));
        executable(jdk.resolve("javac"), "#!/usr/bin/env bash\nexit 0\n");
    }

    @Test
    @DisplayName("a misused demo is answered by the argument check alone: no training minute, the check's exit code")
    void misuseAnsweredBeforeTraining() throws Exception {
        assertThat(launch(Map.of("FAKE_CHECK_EXIT", "2"), "demo", "--bogus")).isEqualTo(2);

        assertThat(calls()).singleElement().asString().contains("-Dsluice.checkArgsOnly=true")
                .endsWith("io.sluice.app.SluiceCli demo --bogus");
        assertThat(root.resolve("app/target/sluice.aot")).doesNotExist();
    }

    @Test
    @DisplayName("help found by the check ends the launcher successfully, without training")
    void helpEndsIt() throws Exception {
        assertThat(launch(Map.of("FAKE_CHECK_EXIT", "64"), "demo", "-hn0")).isZero();

        assertThat(calls()).singleElement().asString().contains("-Dsluice.checkArgsOnly=true");
    }

    @Test
    @DisplayName("a good first demo: checked, a training demo recorded, the cache written, then the demo asked for on it")
    void firstDemoTrainsThenRuns() throws Exception {
        assertThat(launch(Map.of("SLUICE_CONFIG", "/somewhere/real.properties"), "demo", "--requests", "50"))
                .isZero();

        List<String> calls = calls();
        assertThat(calls).hasSize(5);
        // the user's settings are checked; the training demo runs on the embedded default whatever they point at
        assertThat(calls.get(0)).startsWith("config=/somewhere/real.properties ")
                .contains("-Dsluice.checkArgsOnly=true").endsWith("demo --requests 50");
        assertThat(calls.get(1)).startsWith("config=none ").contains("-XX:AOTMode=record")
                .contains("demo --requests 500 --work-dir");
        assertThat(calls.get(2)).contains("-XX:AOTMode=create");
        assertThat(calls.get(3)).contains("-version"); // is AOTCompileEagerly accepted by this JDK?
        assertThat(calls.get(4)).contains("-XX:AOTCache=" + root.resolve("app/target/sluice.aot"))
                .doesNotContain("checkArgsOnly").endsWith("io.sluice.app.SluiceCli demo --requests 50");
        assertThat(root.resolve("app/target/sluice.aot")).exists();

        // the next demo neither checks nor trains: it starts on the cache
        Files.delete(this.calls);
        assertThat(launch(Map.of(), "demo", "--requests", "50")).isZero();
        assertThat(calls()).singleElement().asString().contains("-XX:AOTCache=").doesNotContain("AOTMode");
    }

    @Test
    @DisplayName("with SLUICE_AOT=off the command starts at once, unchecked and untrained")
    void aotOff() throws Exception {
        assertThat(launch(Map.of("SLUICE_AOT", "off", "FAKE_CHECK_EXIT", "2"), "demo")).isZero();

        assertThat(calls()).singleElement().asString().doesNotContain("checkArgsOnly").doesNotContain("AOT")
                .endsWith("io.sluice.app.SluiceCli demo");
    }

    private int launch(Map<String, String> env, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("bash", root.resolve("sluice").toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(root.toFile())
                .redirectErrorStream(true).redirectOutput(root.resolve("out").toFile());
        builder.environment().keySet().removeIf(key -> key.startsWith("SLUICE_"));
        builder.environment().put("JAVA_HOME", root.resolve("jdk").toString());
        builder.environment().putAll(env);
        Process process = builder.start();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("the launcher ends").isTrue();
        return process.exitValue();
    }

    private List<String> calls() throws IOException {
        return Files.exists(calls) ? Files.readAllLines(calls, StandardCharsets.UTF_8) : List.of();
    }

    private static void executable(Path file, String text) throws IOException {
        Files.writeString(file, text);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
}
