package io.sluice.testkit;

import io.sluice.embedded.kafka.BrokerMain;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A real Kafka broker (Apache Kafka's KRaft server, via {@link BrokerMain}) in a child JVM, so a test can stop it
 * gracefully, kill it with SIGKILL, and restart it on the same data directory and port. Its output goes to
 * {@code broker.log} in the data directory.
 */
public final class KafkaBrokerProcess implements AutoCloseable {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

    private final Path dataDir;
    private int port;
    private Process process;
    private String bootstrapServers;

    private KafkaBrokerProcess(Path dataDir) {
        this.dataDir = dataDir;
    }

    /** Starts a broker on a fresh or existing data directory, on any free port. */
    public static KafkaBrokerProcess start(Path dataDir) {
        KafkaBrokerProcess broker = new KafkaBrokerProcess(dataDir);
        broker.launch();
        return broker;
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    public boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** SIGTERM: a controlled shutdown, as an operator's restart does. Waits until the process has exited. */
    public void stop() {
        end(false);
    }

    /** SIGKILL: the broker dies with whatever it had not flushed, as in a machine crash. */
    public void kill() {
        end(true);
    }

    /** Starts the broker again on the same directory and port. */
    public void restart() {
        if (isRunning()) {
            throw new IllegalStateException("broker is still running; stop() or kill() it first");
        }
        launch();
    }

    @Override
    public void close() {
        if (isRunning()) {
            stop();
        }
    }

    private void launch() {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = List.of(java, "-Xmx512m", "-XX:+UseSerialGC", "-cp",
                System.getProperty("java.class.path"), BrokerMain.class.getName(), dataDir.toString(),
                String.valueOf(port));
        try {
            Files.createDirectories(dataDir);
            process = new ProcessBuilder(command)
                    .redirectError(ProcessBuilder.Redirect.appendTo(dataDir.resolve("broker.log").toFile()))
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("could not start the Kafka broker process", e);
        }
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        CompletableFuture<String> ready = CompletableFuture.supplyAsync(() -> {
            try {
                String line;
                while ((line = out.readLine()) != null) {
                    if (line.startsWith(BrokerMain.READY)) {
                        return line.substring(BrokerMain.READY.length()).strip();
                    }
                }
                return null;
            } catch (IOException e) {
                return null;
            }
        });
        try {
            bootstrapServers = ready.get(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (Exception e) {
            bootstrapServers = null;
        }
        if (bootstrapServers == null) {
            process.destroyForcibly();
            throw new IllegalStateException("Kafka broker process did not become ready within " + START_TIMEOUT
                    + "; see " + dataDir.resolve("broker.log"));
        }
        port = Integer.parseInt(bootstrapServers.substring(bootstrapServers.lastIndexOf(':') + 1));
        Thread drain = new Thread(() -> {
            try {
                out.transferTo(Writer.nullWriter());
            } catch (IOException ignored) {
                // the process ended
            }
        }, "broker-stdout");
        drain.setDaemon(true);
        drain.start();
    }

    private void end(boolean kill) {
        if (process == null) {
            return;
        }
        if (kill) {
            process.destroyForcibly();
        } else {
            process.destroy();
        }
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
