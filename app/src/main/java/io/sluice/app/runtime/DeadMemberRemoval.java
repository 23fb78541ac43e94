package io.sluice.app.runtime;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.MemberToRemove;
import org.apache.kafka.clients.admin.RemoveMembersFromConsumerGroupOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes a failed stream thread's consumer out of the group at once. Kafka Streams replaces the thread under a new
 * index (the failed one still holds its index while it shuts down), so under static membership the new consumer
 * has another {@code group.instance.id}, and the failed one, which does not leave, kept its tasks until its session
 * timed out: 45 s with no progress on them after every replacement. Removing that static member by its id hands
 * the tasks out again in one rebalance.
 */
final class DeadMemberRemoval implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DeadMemberRemoval.class);
    /** Long enough for the failed thread to close its consumer, which it does right after the handler returns. */
    static final Duration DELAY = Duration.ofSeconds(2);

    private final Admin admin;
    private final String group;
    private final String instanceId;
    private final Supplier<List<String>> liveThreads;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(task -> {
        Thread thread = new Thread(task, "sluice-dead-member-removal");
        thread.setDaemon(true);
        return thread;
    });

    /**
     * @param instanceId  the main consumer's configured {@code group.instance.id}, which Kafka Streams suffixes
     *                    with {@code -<thread index>} for each thread
     * @param liveThreads the names of the instance's stream threads now running
     */
    DeadMemberRemoval(Admin admin, String group, String instanceId, Supplier<List<String>> liveThreads) {
        this.admin = admin;
        this.group = group;
        this.instanceId = instanceId;
        this.liveThreads = liveThreads;
    }

    /** The static member id of stream thread {@code threadName} ({@code ...-StreamThread-<n>}), if it is one. */
    String memberOf(String threadName) {
        int dash = threadName.lastIndexOf("-StreamThread-");
        if (dash < 0) {
            return null;
        }
        return instanceId + "-" + threadName.substring(dash + "-StreamThread-".length());
    }

    /** Called on the failed thread: removes its member once it has shut down, unless a new thread took its name. */
    void threadFailed(String threadName) {
        String member = memberOf(threadName);
        if (member == null) {
            return;
        }
        timer.schedule(() -> {
            if (liveThreads.get().contains(threadName)) {
                return; // the index was reused: that member is a live thread's now
            }
            try {
                admin.removeMembersFromConsumerGroup(group, new RemoveMembersFromConsumerGroupOptions(
                        List.of(new MemberToRemove(member)))).all().get(10, TimeUnit.SECONDS);
                log.info("Removed failed stream thread {}'s consumer (group.instance.id {}) from group {}, so its"
                        + " tasks move now instead of after its session timeout", threadName, member, group);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Exception e) {
                // already gone (its session ended, or it left): nothing to do
                log.debug("Could not remove member {} from group {}: {}", member, group, e.toString());
            }
        }, DELAY.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
