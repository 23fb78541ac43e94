package io.sluice.config;

import static org.apache.kafka.common.config.ConfigDef.Importance.HIGH;
import static org.apache.kafka.common.config.ConfigDef.Importance.LOW;
import static org.apache.kafka.common.config.ConfigDef.Importance.MEDIUM;
import static org.apache.kafka.common.config.ConfigDef.Range.atLeast;

import java.util.List;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.ValidString;
import org.apache.kafka.common.config.ConfigException;

/**
 * The call stage: routes, timeouts, retries and retry tiers, in-flight bounds, dedup and the response cache; and
 * each route's canary, degraded answer and cache.
 */
interface CallKeys {
    String ROUTES = "routes";
    String CALL_TIMEOUT_MS = "call.timeout.ms";
    String CALL_MAX_ATTEMPTS = "call.max.attempts";
    String CALL_BACKOFF_MS = "call.retry.backoff.ms";
    String CALL_MAX_IN_FLIGHT = "call.max.in.flight.per.task";
    String CALL_MAX_WAITING = "call.max.waiting.per.task";
    String CALL_POLL_INTERVAL_MS = "call.completion.poll.ms";
    String CALL_MAX_WAIT_MS = "call.max.circuit.wait.ms";
    String CALL_RETRY_TIERS = "call.retry.tiers";
    String CALL_CACHE_TTL_MS = "call.cache.ttl.ms";
    String CALL_IN_FLIGHT_STORE = "call.in.flight.store";
    String CALL_DEDUP_RETENTION_MS = "call.dedup.retention.ms";

    String ROUTES_CANARY_PREFIX = "routes.canary.";
    String ROUTES_DEGRADED_PREFIX = "routes.degraded.";
    String ROUTES_CACHE_PREFIX = "routes.cache.";

    /** The families of prefixed keys this group declares, in the order the reference lists them. */
    static List<KeyFamily> families() {
        return List.of(
                new KeyFamily(ROUTES_CANARY_PREFIX, "routes.canary.<route>=provider:model:percent",
                        "Canary rollout (call stage): that share of the route's users, by a stable hash of tenant and user,"
                                + " is tried on the candidate first."),
                new KeyFamily(ROUTES_DEGRADED_PREFIX, "routes.degraded.<route>=message",
                        "What the route answers (status DEGRADED, cost 0) when no target can (call stage)."),
                new KeyFamily(ROUTES_CACHE_PREFIX, "routes.cache.<route>=off|fallback|on",
                        "The route's response cache (call stage): on answers repeated prompts from it, fallback only when"
                                + " no target can."));
    }

    /** Defines this group's keys in {@code definition}. */
    static ConfigDef define(ConfigDef definition) {
        return definition
                .define(ROUTES, Type.LIST, "default=openai:gpt-4o-mini,claude=anthropic:claude-sonnet-4-5", HIGH,
                        "Routes as name=provider:model>fallback-provider:model..., comma-separated; a request's route must be one of these names.")
                .define(CALL_TIMEOUT_MS, Type.INT, 30_000, atLeast(1), HIGH,
                        "Time a provider has to answer one call in full, from when its request goes out; a call may first wait up to 10 s for a connection, and a request's deadline cuts both.")
                .define(CALL_MAX_ATTEMPTS, Type.INT, 3, atLeast(1), HIGH,
                        "Calls per target of a route for retryable errors, before the next target (or the dead-letter topic).")
                .define(CALL_BACKOFF_MS, Type.INT, 200, atLeast(0), MEDIUM,
                        "First retry backoff; doubles each attempt.")
                .define(CALL_MAX_IN_FLIGHT, Type.INT, 10_000, atLeast(1), MEDIUM,
                        "Provider calls in flight per stream task before process() waits for completions. A task"
                                + " runs its tenants' calls, so size it for the busiest tenant's requests a second"
                                + " times provider latency; each call in flight holds its request in memory.")
                .define(CALL_MAX_WAITING, Type.INT, 10_000, atLeast(1), MEDIUM,
                        "Requests per stream task waiting in memory for a circuit, a provider quota, a bulkhead slot"
                                + " or a backoff before process() stops taking more: past it they wait in Kafka (lag).")
                .define(CALL_POLL_INTERVAL_MS, Type.LONG, 20L, atLeast(1), LOW,
                        "Wall-clock interval at which finished calls are forwarded when no input arrives.")
                .define(CALL_MAX_WAIT_MS, Type.LONG, 300_000L, atLeast(0), MEDIUM,
                        "How long a request may wait in flight for an open circuit of its route to let a call through, before it is dead-lettered.")
                .define(CALL_RETRY_TIERS, Type.LIST, "30s,5m", durations(), MEDIUM,
                        "Delays of the retry tiers (e.g. 30s,5m,1h): a request whose route could not answer for a retryable reason waits on each tier's topic in turn before the dead-letter topic; empty: straight to the dead-letter topic.")
                .define(CALL_CACHE_TTL_MS, Type.LONG, 3_600_000L, atLeast(1_000), MEDIUM,
                        "How long an answer stays in the response cache of routes with routes.cache.<route>=on or fallback.")
                .define(CALL_IN_FLIGHT_STORE, Type.STRING, "memory", ValidString.in("memory", "rocksdb"), LOW,
                        "Where the stores of requests under way live, call-in-flight and budget-reservations: memory "
                        + "(the default; no RocksDB write, flush or miss per call: call-in-flight alone gave about "
                        + "1.3x the throughput) or rocksdb (for many parked retries: they stay in both until their "
                        + "last tier). Either way they are changelogged and restored after a crash.")
                .define(CALL_DEDUP_RETENTION_MS, Type.LONG, 86_400_000L, atLeast(60_000), MEDIUM,
                        "How long an answered request id is remembered: a resend or replay within it is not called "
                        + "or charged again.");
    }

    private static ConfigDef.Validator durations() {
        return ConfigDef.LambdaValidator.with((name, value) -> {
            for (Object each : (List<?>) value) {
                try {
                    if (Durations.parse(String.valueOf(each)).isZero()) {
                        throw new IllegalArgumentException("zero");
                    }
                } catch (IllegalArgumentException e) {
                    throw new ConfigException(name, value,
                            "each entry must be a positive duration such as 500ms, 30s, 5m or 1h, but '" + each + "' is not");
                }
            }
        }, () -> "durations such as 30s,5m,1h");
    }
}
