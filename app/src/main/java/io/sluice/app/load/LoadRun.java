package io.sluice.app.load;

import io.sluice.app.runtime.RunningSluice;
import io.sluice.app.runtime.StageLag;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * One load run's loop, on one thread: sends what its shape allows (at a rate, every request due by now, however
 * many are still waiting; at a concurrency, while fewer than C wait for an outcome), reads outcomes in between,
 * prints progress once a second, and once everything is sent waits up to a timeout for the last outcomes.
 */
public final class LoadRun {
    /** Exactly one of {@code rate} and {@code concurrency}; at most one of {@code requests} and {@code duration}. */
    public record Shape(Double rate, Integer concurrency, long requests, Duration duration, Duration timeout) {}

    /** When it started, sent its last request and ended; what it sent per second; sends the broker refused. */
    public record Result(long startMs, long lastSentMs, long endMs, LoadTimeline timeline, int sendFailures,
                  String firstSendError) {}

    private final RunningSluice sluice;
    private final LoadTraffic traffic;
    private final OutcomeTracker tracker;
    private final PrintWriter progress;
    private final StageLag lag;
    private final HttpLoadSender http;
    private final Set<String> failed = ConcurrentHashMap.newKeySet();
    private final AtomicReference<String> firstError = new AtomicReference<>();

    /** {@code lag}: the stages' backlog, shown in the progress lines (null: not shown). */
    public LoadRun(RunningSluice sluice, LoadTraffic traffic, OutcomeTracker tracker, PrintWriter progress, StageLag lag) {
        this(sluice, traffic, tracker, progress, lag, null);
    }

    /** As above, sending through the HTTP front door with {@code http} (null: to the requests topic). */
    LoadRun(RunningSluice sluice, LoadTraffic traffic, OutcomeTracker tracker, PrintWriter progress, StageLag lag,
            HttpLoadSender http) {
        this.sluice = sluice;
        this.traffic = traffic;
        this.tracker = tracker;
        this.progress = progress;
        this.lag = lag;
        this.http = http;
    }

    public Result run(Shape shape) {
        try (KafkaProducer<String, byte[]> producer = producer()) {
            producer.partitionsFor(sluice.topics().requests().name()); // the metadata wait, before the clock starts
            long start = System.currentTimeMillis();
            return run(shape, producer, start, new LoadTimeline(start));
        }
    }

    private Result run(Shape shape, KafkaProducer<String, byte[]> producer, long start, LoadTimeline timeline) {
        tracker.onOutcome(outcome -> timeline.outcome(outcome.arrivedAtMs(), outcome.latencyMs()));
        long sendUntil = shape.duration() == null ? Long.MAX_VALUE : start + shape.duration().toMillis();
        long sent = 0;
        long lastSent = start;
        long nextProgress = start + 1_000;
        while (sent < shape.requests() && System.currentTimeMillis() < sendUntil) {
            long now = System.currentTimeMillis();
            long allowed = shape.rate() != null
                    ? (long) Math.floor((now - start) / 1000.0 * shape.rate()) + 1
                    : sent + Math.max(0, shape.concurrency() - awaited());
            for (; sent < Math.min(allowed, shape.requests()); sent++) {
                lastSent = send(producer, timeline);
            }
            tracker.poll(Duration.ofMillis(pollMs(shape, start, sent)));
            nextProgress = progress(nextProgress, sent, timeline);
        }
        producer.flush();
        long giveUpAt = System.currentTimeMillis() + shape.timeout().toMillis();
        while (awaited() > 0 && System.currentTimeMillis() < giveUpAt) {
            tracker.poll(Duration.ofMillis(200));
            nextProgress = progress(nextProgress, sent, timeline);
        }
        tracker.poll(Duration.ofMillis(500)); // a duplicate would arrive right behind the first outcome
        progress(0, sent, timeline);
        return new Result(start, lastSent, System.currentTimeMillis(), timeline, failed.size(), firstError.get());
    }

    /** How long to read outcomes before the next request is due. */
    private long pollMs(Shape shape, long start, long sent) {
        if (shape.rate() == null) {
            return awaited() >= shape.concurrency() ? 50 : 0; // the poll returns as soon as one arrives
        }
        long nextDue = start + (long) Math.ceil(sent * 1000.0 / shape.rate());
        return Math.max(0, Math.min(100, nextDue - System.currentTimeMillis()));
    }

    /** Requests sent that still wait for an outcome; those the broker refused never get one. */
    private int awaited() {
        return tracker.waiting() - failed.size();
    }

    private long send(KafkaProducer<String, byte[]> producer, LoadTimeline timeline) {
        LoadTraffic.Event event = traffic.next(System.currentTimeMillis());
        tracker.expect(event.requestId(), event.createdAtMs());
        timeline.sent(event.createdAtMs());
        if (http != null) {
            http.send(event.request(), (id, why) -> {
                failed.add(id);
                firstError.compareAndSet(null, why);
            });
            return event.createdAtMs();
        }
        producer.send(new ProducerRecord<>(sluice.topics().requests().name(), null, event.createdAtMs(),
                traffic.keyOf(event), sluice.requestBytes(event.request())), (metadata, error) -> {
            if (error != null) {
                failed.add(event.requestId());
                firstError.compareAndSet(null, error.toString());
            }
        });
        return event.createdAtMs();
    }

    private long progress(long due, long sent, LoadTimeline timeline) {
        long now = System.currentTimeMillis();
        if (now < due) {
            return due;
        }
        progress.printf("%4d s · sent %d (%d/s) · answered %d · rejected %d · dead-lettered %d · waiting %d"
                        + " · outcomes %d/s · %s%s%n",
                (now - timeline.startMs()) / 1000, sent, timeline.sentInLastSecond(now),
                tracker.count(tracker.responsesByStatus()), tracker.count(tracker.rejectionsByReason()),
                tracker.count(tracker.deadLettersByReason()), tracker.waiting(),
                timeline.outcomesInLastSecond(now), tracker.settled() == 0 ? "no latency yet"
                        : String.format(Locale.ROOT, "p50 %,d ms · p99 %,d ms", tracker.latencyPercentileMs(50),
                                tracker.latencyPercentileMs(99)), lagNote());
        progress.flush();
        return now - (now - timeline.startMs()) % 1000 + 1_000;
    }

    /** " · lag 1,200 (call 1,100)": records waiting in front of the stages, and of the stage furthest behind. */
    private String lagNote() {
        if (lag == null) {
            return "";
        }
        var worst = lag.latest().entrySet().stream().max(Map.Entry.comparingByValue());
        return String.format(Locale.ROOT, " · lag %,d%s", lag.latestTotal(), worst.filter(w -> w.getValue() > 0)
                .map(w -> String.format(Locale.ROOT, " (%s %,d)", w.getKey(), w.getValue())).orElse(""));
    }

    private KafkaProducer<String, byte[]> producer() {
        Map<String, Object> props = new HashMap<>(sluice.client());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        return new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    }
}
