package io.sluice.app.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.accounting.LatencyHistograms;
import io.sluice.accounting.RequestStatusProcessor;
import io.sluice.accounting.UsagePeriods;
import io.sluice.accounting.UsageProcessor;
import io.sluice.accounting.UsageTable;
import io.sluice.schemas.internal.AccountingEvent;
import io.sluice.schemas.internal.ProviderMinute;
import io.sluice.schemas.internal.UsageTotals;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.HdrHistogram.Histogram;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * What this instance's stores answer: the local half of every query. {@link HttpApi} sends a key's query to the
 * instance that owns the key and gathers listings from every instance; this only reads what is here.
 */
final class Queries {
    static final ObjectMapper JSON = new ObjectMapper();

    private final KafkaStreams streams;

    Queries(KafkaStreams streams) {
        this.streams = streams;
    }

    /** Usage rows of a tenant (or one of its users) in one period, from {@code from} to {@code to} inclusive. */
    ArrayNode usage(String tenant, String user, UsagePeriods period, String from, String to) {
        ArrayNode rows = JSON.createArrayNode();
        usageTable().rows(tenant, user, period, from, to).forEach((start, row) -> rows.add(usageRow(start, row)));
        return rows;
    }

    /** Every tenant's row of one period start held here ({@code all} for totals). */
    ArrayNode tenants(UsagePeriods period, String start) {
        ArrayNode rows = JSON.createArrayNode();
        usageTable().tenants(period, start).forEach((tenant, row) ->
                rows.add(usageRow(start, row).put("tenant", tenant)));
        return rows;
    }

    /**
     * The provider rows held here for minutes in [from, to), summed per provider/model/variant, histograms encoded
     * so that the caller can merge them with other instances' before reading percentiles.
     */
    Map<String, ProviderSum> providers(Instant from, Instant to) {
        Map<String, ProviderSum> sums = new TreeMap<>();
        ReadOnlyKeyValueStore<String, ProviderMinute> store = streams.store(StoreQueryParameters.fromNameAndType(
                UsageProcessor.PROVIDER_STORE, QueryableStoreTypes.keyValueStore()));
        try (KeyValueIterator<String, ProviderMinute> all = store.all()) {
            while (all.hasNext()) {
                KeyValue<String, ProviderMinute> row = all.next();
                int last = row.key.lastIndexOf('|');
                Instant minute = UsagePeriods.minuteStart(row.key.substring(last + 1));
                if (minute.isBefore(from) || !minute.isBefore(to)) {
                    continue;
                }
                sums.computeIfAbsent(row.key.substring(0, last), k -> new ProviderSum()).add(row.value);
            }
        }
        return sums;
    }

    /** Every step of a request, oldest first; empty when this instance has none. */
    List<AccountingEvent> status(String requestId) {
        return RequestStatusProcessor.history(streams.store(StoreQueryParameters.fromNameAndType(
                RequestStatusProcessor.STORE, QueryableStoreTypes.<String, AccountingEvent>windowStore())),
                requestId);
    }

    private UsageTable usageTable() {
        return new UsageTable(
                streams.store(StoreQueryParameters.fromNameAndType(UsageProcessor.USAGE_STORE,
                        QueryableStoreTypes.keyValueStore())),
                streams.store(StoreQueryParameters.fromNameAndType(UsageProcessor.LATEST_STORE,
                        QueryableStoreTypes.keyValueStore())));
    }

    static ObjectNode usageRow(String start, UsageTotals row) {
        ObjectNode json = JSON.createObjectNode().put("start", start).put("requests", row.getRequests());
        ObjectNode outcomes = json.putObject("outcomes");
        new TreeMap<>(row.getOutcomes()).forEach(outcomes::put);
        return json.put("inputTokens", row.getInputTokens())
                .put("cachedInputTokens", row.getCachedInputTokens())
                .put("outputTokens", row.getOutputTokens())
                .put("costMicros", row.getCostMicros())
                .put("unpricedResponses", row.getUnpricedResponses())
                .put("firstAt", row.getFirstAt().toString())
                .put("lastAt", row.getLastAt().toString());
    }

    static ObjectNode step(AccountingEvent event) {
        ObjectNode json = JSON.createObjectNode().put("at", event.getAt().toString())
                .put("outcome", event.getOutcome());
        putIfSet(json, "stage", event.getStage());
        putIfSet(json, "detail", event.getDetail());
        putIfSet(json, "route", event.getRoute());
        putIfSet(json, "provider", event.getProvider());
        putIfSet(json, "model", event.getModel());
        putIfSet(json, "variant", event.getVariant());
        if (RequestStatusProcessor.answered(event)) {
            json.put("inputTokens", event.getInputTokens()).put("cachedInputTokens", event.getCachedInputTokens())
                    .put("outputTokens", event.getOutputTokens()).put("costMicros", event.getCostMicros());
            if (event.getProviderLatencyMs() != null) {
                json.put("providerLatencyMs", event.getProviderLatencyMs());
            }
        }
        if (event.getAttempts() > 0) {
            json.put("attempts", event.getAttempts());
        }
        if (event.getOutcomeRecord() != null) {
            json.putObject("record").put("topic", event.getOutcomeRecord().getTopic())
                    .put("partition", event.getOutcomeRecord().getPartition())
                    .put("offset", event.getOutcomeRecord().getOffset());
        }
        return json;
    }

    private static void putIfSet(ObjectNode json, String field, String value) {
        if (value != null) {
            json.put(field, value);
        }
    }

    /** A provider/model/variant's sums over some minutes; adds exactly, histograms included. */
    static final class ProviderSum {
        long answered;
        long failed;
        final Map<String, Long> errors = new TreeMap<>();
        long inputTokens;
        long cachedInputTokens;
        long outputTokens;
        long costMicros;
        final Histogram latency = LatencyHistograms.empty();

        void add(ProviderMinute row) {
            answered += row.getAnswered();
            failed += row.getFailed();
            row.getErrors().forEach((k, v) -> errors.merge(k, v, Long::sum));
            inputTokens += row.getInputTokens();
            cachedInputTokens += row.getCachedInputTokens();
            outputTokens += row.getOutputTokens();
            costMicros += row.getCostMicros();
            latency.add(LatencyHistograms.decode(row.getLatency()));
        }

        void add(ProviderSum other) {
            answered += other.answered;
            failed += other.failed;
            other.errors.forEach((k, v) -> errors.merge(k, v, Long::sum));
            inputTokens += other.inputTokens;
            cachedInputTokens += other.cachedInputTokens;
            outputTokens += other.outputTokens;
            costMicros += other.costMicros;
            latency.add(other.latency);
        }

        /** The wire form between instances: sums and the histogram, base64. */
        ObjectNode toPartial() {
            ObjectNode json = totals();
            ByteBuffer encoded = LatencyHistograms.encode(latency);
            byte[] bytes = new byte[encoded.remaining()];
            encoded.get(bytes);
            return json.put("latencyHistogram", Base64.getEncoder().encodeToString(bytes));
        }

        static ProviderSum fromPartial(com.fasterxml.jackson.databind.JsonNode json) {
            ProviderSum sum = new ProviderSum();
            sum.answered = json.path("answered").asLong();
            sum.failed = json.path("failed").asLong();
            json.path("errors").properties().forEach(e -> sum.errors.put(e.getKey(), e.getValue().asLong()));
            sum.inputTokens = json.path("inputTokens").asLong();
            sum.cachedInputTokens = json.path("cachedInputTokens").asLong();
            sum.outputTokens = json.path("outputTokens").asLong();
            sum.costMicros = json.path("costMicros").asLong();
            sum.latency.add(LatencyHistograms.decode(ByteBuffer.wrap(
                    Base64.getDecoder().decode(json.path("latencyHistogram").asText("")))));
            return sum;
        }

        /** What a user reads: sums, and latency percentiles in milliseconds. */
        ObjectNode toJson() {
            ObjectNode json = totals();
            ObjectNode latencyMs = json.putObject("latencyMs");
            latencyMs.put("count", latency.getTotalCount());
            if (latency.getTotalCount() > 0) {
                latencyMs.put("p50", latency.getValueAtPercentile(50)).put("p95", latency.getValueAtPercentile(95))
                        .put("p99", latency.getValueAtPercentile(99)).put("max", latency.getMaxValue());
            }
            long calls = answered + failed;
            return json.put("errorRate", calls == 0 ? 0.0 : (double) failed / calls);
        }

        private ObjectNode totals() {
            ObjectNode json = JSON.createObjectNode().put("answered", answered).put("failed", failed);
            ObjectNode errorCounts = json.putObject("errors");
            errors.forEach(errorCounts::put);
            return json.put("inputTokens", inputTokens).put("cachedInputTokens", cachedInputTokens)
                    .put("outputTokens", outputTokens).put("costMicros", costMicros);
        }
    }
}
