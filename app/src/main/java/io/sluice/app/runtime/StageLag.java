package io.sluice.app.runtime;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;

/**
 * How many records wait in front of each stage of the pipeline: per input topic of the application, the last stable
 * offset less the group's committed offset, summed over partitions and named by the stage that reads it. Committed,
 * not fetched: Kafka Streams fetches ahead into its own buffers, so its consumers' {@code records-lag} stays near 0
 * while records wait there, and under exactly-once a record counts as done once its transaction committed. This is
 * where an overloaded Sluice queues (its in-flight bound stops it taking more), so a growing value says which stage
 * is behind. Sampled on its own thread; a backlog between two samples goes unseen.
 *
 * <p>The same sample also sizes the dead-letter topic: its end offsets less its log start offsets, summed over
 * partitions, which is what a replay would read. Under exactly-once every transaction that wrote to it adds a commit
 * marker, which takes an offset but is no record, so the figure is an upper bound; it falls only as retention deletes.
 */
public final class StageLag implements AutoCloseable {
    /** The dead-letter topic's size, as {@link #deadLetters()}. */
    static final String DEAD_LETTER_METRIC = "sluice.dead.letter.records";

    private final Admin admin;
    private final String group;
    private final StageNames names;
    private final Map<String, AtomicLong> byStage = new ConcurrentHashMap<>();
    /** Per stage: the sum of its committed offsets at the last sample, and when it last moved (or had no lag). */
    private final Map<String, long[]> progress = new ConcurrentHashMap<>();
    private final AtomicLong maxPartition = new AtomicLong();
    private final AtomicLong maxTotal = new AtomicLong();
    private final AtomicLong total = new AtomicLong();
    private final String deadLetterTopic;
    /** The dead-letter topic's size at the last sample; -1 until one succeeded. */
    private final AtomicLong deadLetters = new AtomicLong(-1);
    private final MeterRegistry registry;
    private final ScheduledExecutorService timer;

    /** Which stage reads a topic: {@code sanitize}, {@code limits-and-call}, ... (see {@link #stageOf}). */
    @FunctionalInterface
    interface StageNames {
        String stageOf(String topic);
    }

    /** The most records behind in any sample so far: of one partition, and of all partitions together. */
    public record Lag(long maxPartition, long maxTotal) {}

    /**
     * Samples the lag of consumer group {@code group} (a Kafka Streams application id) every {@code every}; each
     * stage's latest figure is gauge {@code sluice.stage.lag} tagged {@code stage} on {@code registry} (null: none),
     * and the size of {@code deadLetterTopic} (null: none) gauge {@value #DEAD_LETTER_METRIC}.
     */
    StageLag(Admin admin, String group, StageNames names, String deadLetterTopic, Duration every,
             MeterRegistry registry, String threadName) {
        this.admin = admin;
        this.group = group;
        this.names = names;
        this.deadLetterTopic = deadLetterTopic;
        this.registry = registry;
        this.timer = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, threadName);
            thread.setDaemon(true);
            return thread;
        });
        timer.scheduleAtFixedRate(this::sample, 0, every.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Samples the stages of the Sluice configured by {@code config}, whose topics are {@code topics}. */
    public static StageLag of(Admin admin, io.sluice.config.SluiceConfig config, io.sluice.topics.SluiceTopics topics,
                       Duration every, MeterRegistry registry, String threadName) {
        String applicationId = config.string(io.sluice.config.SluiceConfigDef.APPLICATION_ID);
        return new StageLag(admin, applicationId, topic -> stageOf(topic, applicationId, topics.requests().name()),
                topics.deadLetter().name(), every, registry, threadName);
    }

    /** The stage reading {@code topic} of application {@code applicationId}, from the topology's names. */
    static String stageOf(String topic, String applicationId, String requestsTopic) {
        String internal = topic.startsWith(applicationId + "-") ? topic.substring(applicationId.length() + 1) : null;
        if (topic.equals(requestsTopic)) {
            return "sanitize";
        }
        if (internal == null) {
            return topic; // a retry tier's topic, named as configured
        }
        return switch (internal) {
            case "by-tenant-repartition" -> "limits-and-call";
            case "accounting-by-request-repartition" -> "accounting-status";
            case "accounting-by-tenant-repartition" -> "accounting-usage";
            default -> internal;
        };
    }

    public Lag max() {
        return new Lag(maxPartition.get(), maxTotal.get());
    }

    /** The latest sample, records waiting by stage, in stage order. */
    public Map<String, Long> latest() {
        Map<String, Long> out = new TreeMap<>();
        byStage.forEach((stage, lag) -> out.put(stage, lag.get()));
        return out;
    }

    /** For each stage with records waiting: how long (ms) since its committed offsets last moved. */
    Map<String, Long> stalledMs() {
        long now = System.currentTimeMillis();
        Map<String, Long> out = new TreeMap<>();
        progress.forEach((stage, last) -> {
            AtomicLong lag = byStage.get(stage);
            if (lag != null && lag.get() > 0) {
                out.put(stage, now - last[1]);
            }
        });
        return out;
    }

    /** The latest sample's records waiting, all stages together. */
    public long latestTotal() {
        return total.get();
    }

    /** Records on the dead-letter topic at the latest sample (an upper bound, see above); -1 before the first. */
    long deadLetters() {
        return deadLetters.get();
    }

    private void sample() {
        try {
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata().get(5, TimeUnit.SECONDS);
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            committed.forEach((partition, offset) -> {
                if (offset != null) { // none committed yet: how far behind is unknown, not the whole partition
                    latest.put(partition, OffsetSpec.latest());
                }
            });
            List<TopicPartition> deadLetterPartitions = deadLetterPartitions();
            deadLetterPartitions.forEach(partition -> latest.put(partition, OffsetSpec.latest()));
            var ends = admin.listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all()
                    .get(5, TimeUnit.SECONDS);
            sampleDeadLetters(deadLetterPartitions, ends);
            Map<String, Long> stages = new HashMap<>();
            Map<String, Long> position = new HashMap<>();
            long sum = 0;
            for (var end : ends.entrySet()) {
                if (committed.get(end.getKey()) == null) {
                    continue; // only sized, for the dead-letter gauge: no stage has committed on it
                }
                long lag = Math.max(0, end.getValue().offset() - committed.get(end.getKey()).offset());
                maxPartition.accumulateAndGet(lag, Math::max);
                String stage = names.stageOf(end.getKey().topic());
                stages.merge(stage, lag, Long::sum);
                position.merge(stage, committed.get(end.getKey()).offset(), Long::sum);
                sum += lag;
            }
            long now = System.currentTimeMillis();
            stages.forEach((stage, lag) -> {
                gauge(stage).set(lag);
                long[] last = progress.computeIfAbsent(stage, s -> new long[] {-1, now});
                if (lag == 0 || last[0] != position.get(stage)) {
                    last[0] = position.get(stage);
                    last[1] = now;
                }
            });
            total.set(sum);
            maxTotal.accumulateAndGet(sum, Math::max);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            // a slow broker, say: the sample is missed, where an exception would end the sampling
        }
    }

    /** The dead-letter topic's partitions now (it may gain some); none while there is no such topic to size. */
    private List<TopicPartition> deadLetterPartitions() throws InterruptedException, TimeoutException {
        if (deadLetterTopic == null) {
            return List.of();
        }
        try {
            return admin.describeTopics(List.of(deadLetterTopic)).allTopicNames().get(5, TimeUnit.SECONDS)
                    .get(deadLetterTopic).partitions().stream()
                    .map(p -> new TopicPartition(deadLetterTopic, p.partition())).toList();
        } catch (ExecutionException e) {
            return List.of(); // not created yet: the stages' lag is still worth sampling
        }
    }

    /** The dead-letter topic's end offsets less its log start offsets, summed over partitions. */
    private void sampleDeadLetters(List<TopicPartition> partitions,
                                   Map<TopicPartition, ListOffsetsResultInfo> ends) throws Exception {
        if (partitions.isEmpty()) {
            return;
        }
        Map<TopicPartition, OffsetSpec> earliest = new HashMap<>();
        partitions.forEach(partition -> earliest.put(partition, OffsetSpec.earliest()));
        var starts = admin.listOffsets(earliest).all().get(5, TimeUnit.SECONDS);
        long records = 0;
        for (TopicPartition partition : partitions) {
            records += Math.max(0, ends.get(partition).offset() - starts.get(partition).offset());
        }
        if (deadLetters.getAndSet(records) < 0 && registry != null) {
            Gauge.builder(DEAD_LETTER_METRIC, deadLetters, AtomicLong::get)
                    .description("Records on the dead-letter topic (log start to end offsets, all partitions; an"
                            + " upper bound under exactly-once, whose commit markers take offsets too)")
                    .baseUnit("records").register(registry);
        }
    }

    private AtomicLong gauge(String stage) {
        return byStage.computeIfAbsent(stage, s -> {
            AtomicLong value = new AtomicLong();
            if (registry != null) {
                Gauge.builder("sluice.stage.lag", value, AtomicLong::get).tag("stage", s)
                        .description("Records waiting in front of a stage (committed offset to last stable offset)")
                        .baseUnit("records").register(registry);
                Gauge.builder("sluice.stage.stalled.seconds", this, lag -> lag.stalledMs().getOrDefault(s, 0L) / 1000.0)
                        .tag("stage", s).description("How long a stage with records waiting has committed nothing"
                                + " (0 while it moves or has nothing waiting)")
                        .baseUnit("seconds").register(registry);
            }
            return value;
        });
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
