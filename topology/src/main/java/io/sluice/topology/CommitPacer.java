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
 *
 * <p>Counted in records passed, a thread too busy committing to pass many looks lightly loaded and commits as often
 * as ever (after a cold start, with every commit taking 10-15 ms, that was two thirds of its time). So the wait is
 * also long enough that the thread's commits, timed by its {@link TimedProducer}, take at most
 * {@code maxCommitShare} of its time.
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
    record Pacing(Duration minInterval, Duration maxInterval, long lightRecordsPerSecond, double maxCommitShare) {
        static Pacing from(SluiceConfig config) {
            return new Pacing(Duration.ofMillis(config.longValue(SluiceConfigDef.COMMIT_MIN_INTERVAL_MS)),
                    Duration.ofMillis(config.longValue(SluiceConfigDef.COMMIT_INTERVAL_MS)),
                    config.longValue(SluiceConfigDef.COMMIT_LIGHT_LOAD),
                    config.getDouble(SluiceConfigDef.COMMIT_MAX_SHARE));
        }

        boolean enabled() {
            return minInterval.compareTo(maxInterval) < 0;
        }

        /** How long to wait between commits at {@code recordsPerSecond}: the minimum up to the light load, then
         * growing with the load, and long enough that commits of {@code commitMs} each take at most the maximum
         * share of the thread's time; never longer than the maximum. */
        long intervalMs(double recordsPerSecond, double commitMs) {
            double scaled = minInterval.toMillis() * Math.max(1.0, recordsPerSecond / lightRecordsPerSecond);
            // from one ask to the next, the commit included: commitMs of every interval is spent committing
            double costly = maxCommitShare >= 1 ? 0 : commitMs / maxCommitShare;
            return (long) Math.min(maxInterval.toMillis(), Math.max(scaled, costly));
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
        if (load.sinceAsked > 0 && now - load.lastAskedMs >= pacing.intervalMs(load.recordsPerSecond, load.commitMs)) {
            load.lastAskedMs = now;
            load.sinceAsked = 0;
            return true;
        }
        return false;
    }

    /**
     * Called by the stream thread's {@link TimedProducer} after each part of a commit (flushing, sending the
     * offsets, ending the transaction), {@code ended} after the last.
     */
    static void committing(long nanos, boolean ended) {
        LOAD.get().committing(nanos, ended);
    }

    /** The calling stream thread's load. */
    static ThreadLoad threadLoad() {
        return LOAD.get();
    }

    /**
     * What one stream thread's pacing nodes passed: the rate, measured over periods of at least the minimum
     * interval, what passed since the thread last asked for a commit, and what its commits cost (a moving average
     * over those periods, from its {@link TimedProducer}; 0 while unknown).
     */
    static final class ThreadLoad {
        long records;
        long periodStartMs = -1;
        double recordsPerSecond;
        long sinceAsked;
        long lastAskedMs;
        private long commitNanos;
        private long commits;
        private long commitNanosSeen;
        private long commitsSeen;
        double commitMs;

        void committing(long nanos, boolean ended) {
            commitNanos += nanos;
            if (ended) {
                commits++;
            }
        }

        long commits() {
            return commits;
        }

        void roll(long now, long periodMs) {
            if (periodStartMs < 0) {
                periodStartMs = now;
            } else if (now - periodStartMs >= periodMs) {
                recordsPerSecond = records * 1000.0 / (now - periodStartMs);
                records = 0;
                periodStartMs = now;
                if (commits > commitsSeen) {
                    double cost = (commitNanos - commitNanosSeen) / 1e6 / (commits - commitsSeen);
                    commitMs = commitMs == 0 ? cost : 0.5 * commitMs + 0.5 * cost;
                    commitNanosSeen = commitNanos;
                    commitsSeen = commits;
                }
            }
        }
    }
}
