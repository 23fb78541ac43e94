package io.sluice.limit;

import io.sluice.record.Keys;
import io.sluice.record.Rejections;
import io.sluice.record.Verdict;
import io.sluice.schemas.PromptRequest;
import io.sluice.schemas.RejectReason;
import io.sluice.schemas.RejectedRequest;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;

/**
 * The limit stage for one scope (user or tenant). It runs on the partition that owns the request's tenant, and so
 * every user of it too: its counters, keyed by tenant or by {@link Keys#user tenant and user}, have one owner and hold
 * exactly however many instances run. A request is judged on its own time (the
 * record timestamp, which producers set to when the user sent it), clamped to the wall clock plus an allowed skew so
 * a client clock in the future cannot dodge its windows. All limits are checked before any is counted: a refused
 * request uses none of the user's allowance.
 */
public final class WindowedLimiter implements Processor<String, PromptRequest, String, Verdict> {
    public static final String STAGE = "limit";

    private final Limit.Scope scope;
    private final LimitTable table;
    private final int defaultOutputTokens;
    private final long maxFutureSkewMs;
    private final Map<Limit.Window, StoreBuckets> stores = new EnumMap<>(Limit.Window.class);
    private ProcessorContext<String, Verdict> context;

    private WindowedLimiter(Limit.Scope scope, LimitSettings settings) {
        this.scope = scope;
        this.table = settings.table();
        this.defaultOutputTokens = settings.defaultOutputTokens();
        this.maxFutureSkewMs = settings.maxFutureSkewMs();
    }

    public static String storeName(Limit.Scope scope, Limit.Window window) {
        return scope.word() + "-counts-" + window.word();
    }

    /** The processor and the three window stores (one per window length) it owns. */
    public static ProcessorSupplier<String, PromptRequest, String, Verdict> supplier(
            Limit.Scope scope, LimitSettings settings) {
        return new ProcessorSupplier<>() {
            @Override
            public Processor<String, PromptRequest, String, Verdict> get() {
                return new WindowedLimiter(scope, settings);
            }

            @Override
            public Set<StoreBuilder<?>> stores() {
                Set<StoreBuilder<?>> builders = new HashSet<>();
                for (Limit.Window window : Limit.Window.values()) {
                    // Kept one window plus two buckets: what the judged range can reach, and one bucket of margin.
                    // not cached: a cached window store merges cache and RocksDB iterators at every fetch, which
                    // cost more throughput in the pipeline bench than the changelog writes it saved
                    builders.add(Stores.windowStoreBuilder(Stores.persistentWindowStore(storeName(scope, window),
                                    java.time.Duration.ofMillis(window.lengthMs() + 2 * window.bucketMs()),
                                    java.time.Duration.ofMillis(window.bucketMs()), false),
                            Serdes.String(), Serdes.Long()));
                }
                return builders;
            }
        };
    }

    @Override
    public void init(ProcessorContext<String, Verdict> context) {
        this.context = context;
        for (Limit.Window window : Limit.Window.values()) {
            stores.put(window, new StoreBuckets(context.getStateStore(storeName(scope, window))));
        }
    }

    @Override
    public void process(Record<String, PromptRequest> record) {
        PromptRequest request = record.value();
        long now = context.currentSystemTimeMs();
        long time = RequestTime.judgedTime(record.timestamp(), now, maxFutureSkewMs);
        List<Limit> limits = table.limits(scope, request.getTenantId());
        long tokens = TokenEstimate.total(request, defaultOutputTokens);
        String key = scope == Limit.Scope.USER ? Keys.user(request) : request.getTenantId();
        for (Limit limit : limits) {
            long cost = cost(limit.measure(), tokens);
            SlidingWindowCounter.Check check = SlidingWindowCounter.check(stores.get(limit.window()),
                    counterKey(key, limit.measure()), limit.window(), limit.max(), cost, time);
            if (!check.allowed()) {
                context.forward(record.withValue(new Verdict.Refuse(refusal(request, limit, check, cost, now))));
                return;
            }
        }
        for (Limit limit : limits) {
            SlidingWindowCounter.add(stores.get(limit.window()), counterKey(key, limit.measure()),
                    limit.window(), cost(limit.measure(), tokens), time);
        }
        context.forward(record.withValue(new Verdict.Pass(request)));
    }

    private static long cost(Limit.Measure measure, long tokens) {
        return measure == Limit.Measure.REQUESTS ? 1 : tokens;
    }

    private static String counterKey(String key, Limit.Measure measure) {
        return key + "|" + measure.word();
    }

    private RejectedRequest refusal(PromptRequest request, Limit limit, SlidingWindowCounter.Check check, long cost,
                                    long now) {
        String what = limit.measure() == Limit.Measure.REQUESTS ? "requests" : "estimated tokens";
        RejectedRequest rejection = Rejections.of(request, RejectReason.RATE_LIMITED, STAGE,
                limit.scope().word() + " used " + check.used() + " " + what + " in the last " + limit.window().word()
                        + " and this request needs " + cost + "; the limit is " + limit.max(), now);
        rejection.setLimit(limit.name());
        rejection.setRetryAfterMs(cost > limit.max() ? null : check.retryAfterMs());
        return rejection;
    }

    /** A window store seen as the counter's buckets. */
    private record StoreBuckets(WindowStore<String, Long> store) implements SlidingWindowCounter.Buckets {
        @Override
        public Iterable<long[]> range(String key, long from, long to) {
            List<long[]> buckets = new ArrayList<>();
            try (WindowStoreIterator<Long> it = store.fetch(key, from, to)) {
                it.forEachRemaining(kv -> buckets.add(new long[] {kv.key, kv.value}));
            }
            return buckets;
        }

        @Override
        public void put(String key, long bucketStart, long count) {
            store.put(key, count, bucketStart);
        }

        @Override
        public long get(String key, long bucketStart) {
            Long count = store.fetch(key, bucketStart);
            return count == null ? 0 : count;
        }
    }
}
