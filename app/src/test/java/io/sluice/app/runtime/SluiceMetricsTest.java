package io.sluice.app.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Metrics;
import io.sluice.call.Breakers;
import io.sluice.call.CallTelemetry;
import io.sluice.config.RouteTable;
import io.sluice.config.SluiceConfig;
import io.sluice.config.SluiceConfigDef;
import io.sluice.record.DeadLetters;
import io.sluice.schemas.DeadLetterReason;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** What {@code GET /metrics} serves: Sluice's meters from the global registry, the JVM's and Kafka Streams'. */
class SluiceMetricsTest {
    private SluiceMetrics metrics;

    @BeforeEach
    void install() {
        metrics = SluiceMetrics.install();
    }

    @AfterEach
    void close() {
        if (metrics != null) {
            metrics.close();
        }
    }

    @Test
    @DisplayName("serves the topology's meters with latency histograms, the circuit states and the JVM's metrics")
    void scrapesInPrometheusFormat() {
        // Given meters registered the way the call stage and the breakers register them
        metrics.registry().timer(CallTelemetry.PROVIDER_LATENCY_METRIC, "provider", "openai", "model", "gpt-4o",
                "outcome", CallTelemetry.OK).record(Duration.ofMillis(850));
        metrics.registry().timer(CallTelemetry.REQUEST_LATENCY_METRIC, "route", "default", "status", "ok")
                .record(Duration.ofMillis(900));
        metrics.registry().counter(CallTelemetry.TOKENS_METRIC, "provider", "openai", "model", "gpt-4o", "kind", "input",
                "tenant", "acme").increment(1_200);
        metrics.registry().counter(CallTelemetry.COST_METRIC, "provider", "openai", "model", "gpt-4o", "tenant", "acme")
                .increment(4_500);
        DeadLetters.count(metrics.registry(), DeadLetterReason.RETRIES_EXHAUSTED, "server_error", "openai");
        Breakers breakers = Breakers.from(SluiceConfig.of(Map.of(SluiceConfigDef.KAFKA_BOOTSTRAP_SERVERS, "test:9092")),
                metrics.registry());
        breakers.of(new RouteTable.Target("openai", "gpt-4o"));

        // When Prometheus scrapes
        String scraped = metrics.scrape();
        // the breaker gauges hold their breakers weakly, as Micrometer gauges do: the call stage keeps its Breakers
        // for as long as it runs, and so must this test until the scrape, or a GC turns the states into NaN
        java.lang.ref.Reference.reachabilityFence(breakers);

        // Then it finds every family under its Prometheus name, with buckets to compute p50/p95/p99 from
        assertThat(scraped)
                .contains("sluice_provider_call_latency_seconds_bucket{model=\"gpt-4o\",outcome=\"ok\","
                        + "provider=\"openai\",le=\"0.001\"} 0")
                .contains("sluice_provider_call_latency_seconds_bucket{model=\"gpt-4o\",outcome=\"ok\","
                        + "provider=\"openai\",le=\"+Inf\"} 1")
                .contains("sluice_provider_call_latency_seconds_count{model=\"gpt-4o\",outcome=\"ok\","
                        + "provider=\"openai\"} 1")
                .contains("sluice_request_latency_seconds_bucket{route=\"default\",status=\"ok\",le=\"1.0")
                .contains("sluice_tokens_total{kind=\"input\",model=\"gpt-4o\",provider=\"openai\","
                        + "tenant=\"acme\"} 1200.0")
                .contains("sluice_cost_micros_total{model=\"gpt-4o\",provider=\"openai\",tenant=\"acme\"} 4500.0")
                .contains("sluice_dead_letters_total{error_class=\"server_error\",provider=\"openai\","
                        + "reason=\"RETRIES_EXHAUSTED\"} 1.0")
                .contains("resilience4j_circuitbreaker_state{name=\"openai:gpt-4o\",state=\"closed\"} 1.0")
                .contains("jvm_memory_used_bytes{", "jvm_gc_", "jvm_threads_live_threads ",
                        "jvm_classes_loaded_classes ", "system_cpu_count ", "process_uptime_seconds ");
    }

    @Test
    @DisplayName("serves the Kafka Streams client's own metrics once bound")
    void bindsKafkaStreams() {
        StreamsBuilder builder = new StreamsBuilder();
        builder.stream("in").to("out");
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "sluice-metrics-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "localhost:1"); // never started, never connects

        try (KafkaStreams streams = new KafkaStreams(builder.build(), props)) {
            metrics.bind(streams);

            assertThat(metrics.scrape()).contains("kafka_stream_");
        }
    }

    @Test
    @DisplayName("keeps to its own registry: Micrometer's global one neither feeds it nor gains it")
    void ownRegistryOnly() {
        int globalRegistries = Metrics.globalRegistry.getRegistries().size();
        SluiceMetrics second = SluiceMetrics.install();
        try {
            Metrics.counter("elsewhere.counted").increment();
            metrics.registry().counter("sluice.here").increment();

            assertThat(Metrics.globalRegistry.getRegistries()).hasSize(globalRegistries);
            assertThat(metrics.scrape()).contains("sluice_here_total").doesNotContain("elsewhere_counted");
            assertThat(second.scrape()).doesNotContain("sluice_here_total");
        } finally {
            second.close();
        }
    }
}
