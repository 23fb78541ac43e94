package io.sluice.app.runtime;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.KafkaStreams;

/**
 * The instance's metrics in Prometheus form: every meter the topology registers on this instance's registry
 * ({@code sluice.*}, {@code resilience4j.circuitbreaker.*}), plus the JVM's and Kafka Streams' own. Micrometer's
 * global registry is not used: two instances in one JVM (as in tests) each serve their own meters. Sluice's timers
 * publish histogram buckets, so Prometheus computes p50/p95/p99 across instances with {@code histogram_quantile}.
 */
final class SluiceMetrics implements AutoCloseable {
    /** Bucket range of Sluice's timers: provider calls take milliseconds to minutes; longer goes to +Inf. */
    static final Duration SHORTEST_BUCKET = Duration.ofMillis(1);
    static final Duration LONGEST_BUCKET = Duration.ofMinutes(10);

    private final PrometheusMeterRegistry registry;
    private final List<AutoCloseable> binders = new ArrayList<>();

    private SluiceMetrics(PrometheusMeterRegistry registry) {
        this.registry = registry;
    }

    /** A Prometheus registry of this instance, with the JVM's metrics bound. */
    static SluiceMetrics install() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        // before any meter reaches this registry: filters apply when a meter is first registered on it
        registry.config().meterFilter(latencyHistograms());
        SluiceMetrics metrics = new SluiceMetrics(registry);
        JvmGcMetrics gc = new JvmGcMetrics();
        metrics.binders.add(gc);
        for (MeterBinder binder : List.of(new JvmMemoryMetrics(), gc, new JvmThreadMetrics(),
                new ClassLoaderMetrics(), new ProcessorMetrics(), new UptimeMetrics())) {
            binder.bindTo(registry);
        }
        return metrics;
    }

    /** Publishes the Kafka Streams client's own metrics (threads, tasks, stores, its consumers and producers). */
    void bind(KafkaStreams streams) {
        KafkaStreamsMetrics kafka = new KafkaStreamsMetrics(streams);
        kafka.bindTo(registry);
        binders.add(kafka);
    }

    /** The registry served at {@code /metrics}: the topology and the runtime register their meters on it. */
    io.micrometer.core.instrument.MeterRegistry registry() {
        return registry;
    }

    /** Every meter in the Prometheus text exposition format, as served at {@code GET /metrics}. */
    String scrape() {
        return registry.scrape();
    }

    @Override
    public void close() {
        for (AutoCloseable binder : binders) {
            try {
                binder.close();
            } catch (Exception e) {
                // closing only stops a binder's refresh; nothing is left to do about a failure
            }
        }
        registry.close();
    }

    /** Histogram buckets for every Sluice timer (provider call, end-to-end and canary latency). */
    private static MeterFilter latencyHistograms() {
        return new MeterFilter() {
            @Override
            public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
                if (id.getType() != Meter.Type.TIMER || !id.getName().startsWith("sluice.")) {
                    return config;
                }
                return DistributionStatisticConfig.builder()
                        .percentilesHistogram(true)
                        .minimumExpectedValue((double) SHORTEST_BUCKET.toNanos())
                        .maximumExpectedValue((double) LONGEST_BUCKET.toNanos())
                        .build()
                        .merge(config);
            }
        };
    }
}
