package io.sluice.app.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.app.load.LoadRun;
import java.time.Duration;
import java.util.Locale;

/**
 * One load the pipeline bench sends and measures: its name, how the load driver sends ({@link LoadRun.Shape}: at
 * most C waiting at a time for N requests, or R a second for a time) and the simulated provider's fixed latency.
 */
record PipelineScenario(String name, LoadRun.Shape shape, Duration providerLatency) {
    /** At most {@code concurrency} requests waiting for an outcome, {@code requests} in all. */
    static PipelineScenario closed(String name, int concurrency, long requests, Duration latency, Duration timeout) {
        return new PipelineScenario(name, new LoadRun.Shape(null, concurrency, requests, null, timeout), latency);
    }

    /** {@code rate} requests a second, on schedule however many wait, for {@code duration}. */
    static PipelineScenario open(String name, double rate, Duration duration, Duration latency, Duration timeout) {
        return new PipelineScenario(name, new LoadRun.Shape(rate, null, Long.MAX_VALUE, duration, timeout), latency);
    }

    /** Requests it sends: all of a closed loop's; about rate × duration of an open loop's. */
    double requests() {
        return shape.duration() == null ? shape.requests() : rate() * shape.duration().toMillis() / 1000.0;
    }

    /** Requests a second; infinite for a closed loop, whose rate is whatever the pipeline answers. */
    double rate() {
        return shape.rate() == null ? Double.POSITIVE_INFINITY : shape.rate();
    }

    String description() {
        return String.format(Locale.ROOT, "%s: %s, provider latency %d ms", name, shape.rate() == null
                        ? String.format(Locale.ROOT, "%,d requests, at most %d waiting", shape.requests(),
                        shape.concurrency())
                        : String.format(Locale.ROOT, "%.0f/s for %d s", shape.rate(), shape.duration().toSeconds()),
                providerLatency.toMillis());
    }

    /** Its settings, as the JSON line reports them. */
    ObjectNode json() {
        ObjectNode out = new ObjectMapper().createObjectNode();
        out.put("scenario", name);
        out.put("loop", shape.rate() == null ? "closed" : "open");
        if (shape.rate() == null) {
            out.put("concurrency", shape.concurrency());
            out.put("requests", shape.requests());
        } else {
            out.put("rate", shape.rate());
            out.put("durationSec", shape.duration().toMillis() / 1000.0);
        }
        out.put("providerLatencyMs", providerLatency.toMillis());
        return out;
    }
}
