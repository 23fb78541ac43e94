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
        if (args.length != 2) {
            System.err.println("usage: BrokerMain <data dir> <port>");
            System.exit(2);
        }
        EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker(Path.of(args[0]), Integer.parseInt(args[1])).start();
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
