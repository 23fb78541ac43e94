package io.sluice.limit;

import io.sluice.schemas.PromptRequest;
import io.sluice.schemas.RejectReason;
import io.sluice.schemas.RejectedRequest;
import io.sluice.topology.Rejections;
import io.sluice.topology.TopologyNames;
import io.sluice.topology.Verdict;
import java.time.Duration;
import java.util.Set;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.WindowStore;

/**
 * Per-user requests-per-minute limit in fixed one-minute windows of the request's own time (the record timestamp).
 * Runs on the partition that owns the user key, so the count is exact however many instances run.
 */
public final class UserRateLimiter implements Processor<String, PromptRequest, String, Verdict> {
    public static final String STAGE = "limit";
    public static final String LIMIT_NAME = "user.requests.per.minute";
    static final Duration WINDOW = Duration.ofMinutes(1);

    private final int limit;
    private ProcessorContext<String, Verdict> context;
    private WindowStore<String, Long> counts;

    private UserRateLimiter(int limit) {
        this.limit = limit;
    }

    /** The processor and the window store it owns. */
    public static ProcessorSupplier<String, PromptRequest, String, Verdict> supplier(int requestsPerMinute) {
        return new ProcessorSupplier<>() {
            @Override
            public Processor<String, PromptRequest, String, Verdict> get() {
                return new UserRateLimiter(requestsPerMinute);
            }

            @Override
            public Set<StoreBuilder<?>> stores() {
                // Two windows of retention: the current one and the one a slightly late record may still hit.
                return Set.of(Stores.windowStoreBuilder(
                        Stores.persistentWindowStore(TopologyNames.USER_REQUEST_COUNTS,
                                WINDOW.multipliedBy(2), WINDOW, false),
                        Serdes.String(), Serdes.Long()));
            }
        };
    }

    @Override
    public void init(ProcessorContext<String, Verdict> context) {
        this.context = context;
        this.counts = context.getStateStore(TopologyNames.USER_REQUEST_COUNTS);
    }

    @Override
    public void process(Record<String, PromptRequest> record) {
        long time = record.timestamp();
        long windowStart = time - Math.floorMod(time, WINDOW.toMillis());
        Long seen = counts.fetch(record.key(), windowStart);
        long count = seen == null ? 0 : seen;
        if (count >= limit) {
            long retryAfter = windowStart + WINDOW.toMillis() - time;
            RejectedRequest rejection = Rejections.of(record.value(), RejectReason.RATE_LIMITED, STAGE,
                    "user made " + count + " requests this minute; the limit is " + limit,
                    context.currentSystemTimeMs());
            rejection.setLimit(LIMIT_NAME);
            rejection.setRetryAfterMs(retryAfter);
            context.forward(record.withValue(new Verdict.Refuse(rejection)));
            return;
        }
        counts.put(record.key(), count + 1, windowStart);
        context.forward(record.withValue(new Verdict.Pass(record.value())));
    }
}
