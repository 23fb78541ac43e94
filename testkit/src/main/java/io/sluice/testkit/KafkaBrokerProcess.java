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
    private final List<String> nodeArgs;
    private int port;
    private Process process;
    private String bootstrapServers;
    private CompletableFuture<String> ready;
    private BufferedReader out;

    private KafkaBrokerProcess(Path dataDir, int port, List<String> nodeArgs) {
        this.dataDir = dataDir;
        this.port = port;
        this.nodeArgs = nodeArgs;
    }

    /** Starts a broker on a fresh or existing data directory, on any free port. */
    public static KafkaBrokerProcess start(Path dataDir) {
        KafkaBrokerProcess broker = new KafkaBrokerProcess(dataDir, 0, List.of());
        broker.launch();
        return broker;
    }

    /**
     * Launches node {@code nodeId} of a multi-node cluster without waiting for it ({@link KafkaCluster} starts all
     * nodes, then waits: a node is ready only once a majority of controllers is up).
     */
    static KafkaBrokerProcess beginNode(Path dataDir, int nodeId, int port, int controllerPort, String voters,
                                        String clusterId, java.util.Map<String, String> settings) {
        List<String> args = new java.util.ArrayList<>(List.of(String.valueOf(nodeId), String.valueOf(controllerPort),
                voters, clusterId));
        settings.forEach((k, v) -> args.add(k + "=" + v));
        KafkaBrokerProcess broker = new KafkaBrokerProcess(dataDir, port, List.copyOf(args));
        broker.begin();
        return broker;
    }

    /** Waits until a node launched with {@link #beginNode} serves. */
    void awaitStarted() {
        awaitReady();
    }

    /** Launches a stopped or killed node again, without waiting for it. */
    void beginRestart() {
        if (isRunning()) {
            throw new IllegalStateException("broker is still running; stop() or kill() it first");
        }
        begin();
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
        begin();
        awaitReady();
    }

    private void begin() {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new java.util.ArrayList<>(List.of(java, "-Xmx512m", "-XX:+UseSerialGC", "-cp",
                System.getProperty("java.class.path"), BrokerMain.class.getName(), dataDir.toString(),
                String.valueOf(port)));
        command.addAll(nodeArgs);
        try {
            Files.createDirectories(dataDir);
            process = new ProcessBuilder(command)
                    .redirectError(ProcessBuilder.Redirect.appendTo(dataDir.resolve("broker.log").toFile()))
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("could not start the Kafka broker process", e);
        }
        out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        BufferedReader lines = out;
        ready = CompletableFuture.supplyAsync(() -> {
            try {
                String line;
                while ((line = lines.readLine()) != null) {
                    if (line.startsWith(BrokerMain.READY)) {
                        return line.substring(BrokerMain.READY.length()).strip();
                    }
                }
                return null;
            } catch (IOException e) {
                return null;
            }
        }, task -> {
            Thread reader = new Thread(task, "broker-ready-" + dataDir.getFileName());
            reader.setDaemon(true);
            reader.start();
        });
    }

    private void awaitReady() {
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
