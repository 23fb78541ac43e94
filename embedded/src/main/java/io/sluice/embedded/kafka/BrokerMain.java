package io.sluice.embedded.kafka;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * Runs an {@link EmbeddedKafkaBroker} as its own process, so a test harness can stop it (SIGTERM: controlled
 * shutdown) or kill it (SIGKILL: nothing flushed) like a real broker. Prints {@code READY <bootstrap>} once serving.
 * Usage: {@code BrokerMain <data dir> <port>}.
 */
public final class BrokerMain {
    public static final String READY = "READY ";

    private BrokerMain() {}

    public static void main(String[] args) throws InterruptedException {
        if (args.length != 2 && args.length < 6) {
            System.err.println("usage: BrokerMain <data dir> <port>"
                    + " | BrokerMain <data dir> <port> <node id> <controller port> <voters> <cluster id> [key=value ...]");
            System.exit(2);
        }
        EmbeddedKafkaBroker node = args.length == 2
                ? new EmbeddedKafkaBroker(Path.of(args[0]), Integer.parseInt(args[1]))
                : new EmbeddedKafkaBroker(Path.of(args[0]), Integer.parseInt(args[2]), Integer.parseInt(args[1]),
                        Integer.parseInt(args[3]), args[4], args[5]);
        java.util.Map<String, String> settings = new java.util.HashMap<>();
        for (int i = 6; i < args.length; i++) {
            String[] kv = args[i].split("=", 2);
            settings.put(kv[0], kv[1]);
        }
        EmbeddedKafkaBroker broker = node.withSettings(settings).start();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            broker.close();
            stopped.countDown();
        }, "broker-shutdown"));
        System.out.println(READY + broker.bootstrapServers());
        System.out.flush();
        stopped.await();
    }
}
