package io.sluice.embedded.registry;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** A third-party registry client run as a process, its output printed (to the test's report) for diagnosis. */
final class ClientProcess {
    private ClientProcess() {}

    record Result(int exitCode, String output) {}

    /** Runs {@code command} in {@code dir}; exit code -1 when it did not finish within five minutes. */
    static Result run(Path dir, String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        boolean done = process.waitFor(5, TimeUnit.MINUTES);
        if (!done) {
            process.destroyForcibly();
        }
        System.out.println(String.join(" ", command) + ":\n" + output);
        return new Result(done ? process.exitValue() : -1, output);
    }
}
