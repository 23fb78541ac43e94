package io.sluice.simulator;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.random.RandomGenerator;

/**
 * How long the simulated model "thinks" before answering. Only the fields of the chosen {@link Kind} matter; the
 * others stay 0 and are left out of the JSON form.
 *
 * @param kind     fixed, uniform or lognormal
 * @param fixedMs  the delay of {@code fixed}
 * @param minMs    lower bound of {@code uniform}
 * @param maxMs    upper bound of {@code uniform}
 * @param medianMs median of {@code lognormal}
 * @param p99Ms    99th percentile of {@code lognormal}; real provider latencies are long-tailed, which this models
 */
@JsonInclude(JsonInclude.Include.NON_DEFAULT)
public record Latency(Kind kind, long fixedMs, long minMs, long maxMs, long medianMs, long p99Ms) {
    /** z-score of the 99th percentile of a standard normal distribution. */
    private static final double Z_99 = 2.3263478740408408;

    public enum Kind {
        @JsonProperty("fixed") FIXED,
        @JsonProperty("uniform") UNIFORM,
        @JsonProperty("lognormal") LOGNORMAL
    }

    public Latency {
        kind = kind == null ? Kind.FIXED : kind;
        if (fixedMs < 0 || minMs < 0 || maxMs < 0 || medianMs < 0 || p99Ms < 0) {
            throw new SimulatorException("latency values must not be negative");
        }
        if (kind == Kind.UNIFORM && maxMs < minMs) {
            throw new SimulatorException("uniform latency needs minMs <= maxMs, got " + minMs + ".." + maxMs);
        }
        if (kind == Kind.LOGNORMAL && (medianMs < 1 || p99Ms < medianMs)) {
            throw new SimulatorException("lognormal latency needs 1 <= medianMs <= p99Ms, got median "
                    + medianMs + " p99 " + p99Ms);
        }
    }

    public static Latency fixed(long ms) {
        return new Latency(Kind.FIXED, ms, 0, 0, 0, 0);
    }

    public static Latency uniform(long minMs, long maxMs) {
        return new Latency(Kind.UNIFORM, 0, minMs, maxMs, 0, 0);
    }

    public static Latency lognormal(long medianMs, long p99Ms) {
        return new Latency(Kind.LOGNORMAL, 0, 0, 0, medianMs, p99Ms);
    }

    /** Draws one delay in milliseconds; the caller passes the per-request generator so seeded runs repeat. */
    public long sampleMs(RandomGenerator random) {
        return switch (kind) {
            case FIXED -> fixedMs;
            case UNIFORM -> minMs == maxMs ? minMs : random.nextLong(minMs, maxMs + 1);
            case LOGNORMAL -> {
                double mu = Math.log(medianMs);
                double sigma = (Math.log(p99Ms) - mu) / Z_99;
                // The cap only guards against overflow from an absurd tail draw, not against realistic long tails.
                yield Math.round(Math.min(Math.exp(mu + sigma * random.nextGaussian()), p99Ms * 100.0));
            }
        };
    }
}
