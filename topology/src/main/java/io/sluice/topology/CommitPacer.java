package io.sluice.topology;

import io.sluice.config.SluiceConfig;
import io.sluice.config.SluiceConfigDef;
import java.time.Duration;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorSupplier;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;

/**
 * Commits sooner than {@code streams.commit.interval.ms} while a stream thread is lightly loaded.
 *
 * <p>Under exactly-once, what a stage writes is visible to the next stage only once its transaction commits, so every
 * hop waits for a commit. A commit costs the broker the same whatever it carries (the transaction's begin and end, a
 * marker on every partition written, the input offsets), and blocks the stream thread while the producer flushes.
 * A short interval therefore buys an idle pipeline its latency and costs a busy one its throughput. This pass-through
 * node, placed where requests enter a stage and where outcomes leave the call stage, counts the records its thread
 * passes and asks for a commit of its task ({@code context.commit()}; under exactly-once the thread commits all its
 * tasks at once) every {@code minInterval} while the thread passes fewer than {@code lightRecordsPerSecond}, and
 * proportionally less often above that, up to {@code maxInterval}. Streams' own interval is set to twice that, a
 * backstop for work that passes no pacing node: if it were the maximum itself, its commits would fall between the
 * pacer's under load and double them.
 */
final class CommitPacer<V> implements FixedKeyProcessor<String, V, V> {
    /** The records the pacing nodes of one stream thread passed; a stream thread runs all its tasks' nodes. */
    private static final ThreadLocal<ThreadLoad> LOAD = ThreadLocal.withInitial(ThreadLoad::new);

    private final Pacing pacing;
    private ThreadLoad load;
    private FixedKeyProcessorContext<String, V> context;

    /** @param minInterval           the shortest wait for a commit, while the thread is lightly loaded
     *  @param maxInterval           Streams' commit interval, the longest wait
     *  @param lightRecordsPerSecond the load of a thread (records through its pacing nodes) up to which it commits
     *                               every {@code minInterval} */
    record Pacing(Duration minInterval, Duration maxInterval, long lightRecordsPerSecond) {
        static Pacing from(SluiceConfig config) {
            return new Pacing(Duration.ofMillis(config.longValue(SluiceConfigDef.COMMIT_MIN_INTERVAL_MS)),
                    Duration.ofMillis(config.longValue(SluiceConfigDef.COMMIT_INTERVAL_MS)),
                    config.longValue(SluiceConfigDef.COMMIT_LIGHT_LOAD));
        }

        boolean enabled() {
            return minInterval.compareTo(maxInterval) < 0;
        }

        /** How long to wait between commits at {@code recordsPerSecond}: the minimum up to the light load, then
         * growing with the load, up to the maximum. */
        long intervalMs(double recordsPerSecond) {
            double scaled = minInterval.toMillis() * Math.max(1.0, recordsPerSecond / lightRecordsPerSecond);
            return (long) Math.min(maxInterval.toMillis(), scaled);
        }
    }

    /** @param load what this node's stream thread passed, shared by all the pacing nodes it runs; null: the load of
     *              the thread that initializes the node, which runs it */
    CommitPacer(Pacing pacing, ThreadLoad load) {
        this.pacing = pacing;
        this.load = load;
    }

    static <V> FixedKeyProcessorSupplier<String, V, V> supplier(Pacing pacing) {
        return () -> new CommitPacer<>(pacing, null);
    }

    @Override
    public void init(FixedKeyProcessorContext<String, V> context) {
        this.context = context;
        if (load == null) {
            load = LOAD.get();
        }
        if (pacing.enabled()) {
            context.schedule(pacing.minInterval(), PunctuationType.WALL_CLOCK_TIME, this::tick);
        }
    }

    @Override
    public void process(FixedKeyRecord<String, V> record) {
        passed();
        context.forward(record);
    }

    void passed() {
        load.records++;
        load.sinceAsked++;
    }

    private void tick(long now) {
        if (shouldCommit(now)) {
            context.commit();
        }
    }

    /**
     * Whether to ask for a commit at {@code now}: something passed through the thread's pacing nodes since its last
     * ask, and the wait is over. One ask commits every task of the thread, so the thread asks, not each node: the
     * tasks' punctuations are not aligned, and nodes asking each on their own would commit many times an interval.
     */
    boolean shouldCommit(long now) {
        load.roll(now, pacing.minInterval().toMillis());
        if (load.sinceAsked > 0 && now - load.lastAskedMs >= pacing.intervalMs(load.recordsPerSecond)) {
            load.lastAskedMs = now;
            load.sinceAsked = 0;
            return true;
        }
        return false;
    }

    /**
     * What one stream thread's pacing nodes passed: the rate, measured over periods of at least the minimum
     * interval, and what passed since the thread last asked for a commit.
     */
    static final class ThreadLoad {
        long records;
        long periodStartMs = -1;
        double recordsPerSecond;
        long sinceAsked;
        long lastAskedMs;

        void roll(long now, long periodMs) {
            if (periodStartMs < 0) {
                periodStartMs = now;
            } else if (now - periodStartMs >= periodMs) {
                recordsPerSecond = records * 1000.0 / (now - periodStartMs);
                records = 0;
                periodStartMs = now;
            }
        }
    }
}
