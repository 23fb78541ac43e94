package io.sluice.config;

import static org.apache.kafka.common.config.ConfigDef.Importance.HIGH;
import static org.apache.kafka.common.config.ConfigDef.Importance.LOW;
import static org.apache.kafka.common.config.ConfigDef.Importance.MEDIUM;
import static org.apache.kafka.common.config.ConfigDef.Range.atLeast;
import static org.apache.kafka.common.config.ConfigDef.Range.between;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.ValidString;

/**
 * Every Sluice setting: name, type, default, validation and a one-line doc, and every family of keys named by a
 * prefix (per route, per tier, Kafka client pass-through) with its doc. The configuration reference in
 * docs/configuration.md is generated from this definition ({@code ./sluice config}) and a test keeps the two equal.
 * A key that is neither defined here nor in a family fails the start, named.
 */
public final class SluiceConfigDef {
    /**
     * Keys made of {@code prefix} and a name the user chooses (a route, a tier, a Kafka client setting): {@code pattern}
     * shows the form, {@code documentation} what they do and which stage reads them.
     */
    public record KeyFamily(String prefix, String pattern, String documentation) {}

    public static final String ROUTES_CANARY_PREFIX = "routes.canary.";
    public static final String ROUTES_DEGRADED_PREFIX = "routes.degraded.";
    public static final String ROUTES_CACHE_PREFIX = "routes.cache.";
    public static final String SANITIZE_ROUTE_PREFIX = "sanitize.route.";
    public static final String OUTPUT_GUARD_ROUTE_PREFIX = "output.guard.route.";
    public static final String LIMITS_TIER_PREFIX = "limits.tier.";
    public static final String BUDGETS_TIER_PREFIX = "budgets.tier.";
    public static final String KAFKA_PREFIX = "kafka.";

    /** Every family of prefixed keys, in the order the reference lists them. */
    public static final java.util.List<KeyFamily> FAMILIES = java.util.List.of(
            new KeyFamily(ROUTES_CANARY_PREFIX, "routes.canary.<route>=provider:model:percent",
                    "Canary rollout (call stage): that share of the route's users, by a stable hash of tenant and user,"
                            + " is tried on the candidate first."),
            new KeyFamily(ROUTES_DEGRADED_PREFIX, "routes.degraded.<route>=message",
                    "What the route answers (status DEGRADED, cost 0) when no target can (call stage)."),
            new KeyFamily(ROUTES_CACHE_PREFIX, "routes.cache.<route>=off|fallback|on",
                    "The route's response cache (call stage): on answers repeated prompts from it, fallback only when"
                            + " no target can."),
            new KeyFamily(SANITIZE_ROUTE_PREFIX, "sanitize.route.<route>.<setting>=value",
                    "A route's own sanitize policy (sanitize stage): injection.action, injection.threshold,"
                            + " injection.model, injection.model.threshold, pii.action or pii.entities, over the"
                            + " sanitize.* defaults."),
            new KeyFamily(OUTPUT_GUARD_ROUTE_PREFIX, "output.guard.route.<route>.<setting>=value",
                    "A route's own output guard (checks the model's answer): pii, entities, deny or injection, over"
                            + " the output.guard.* defaults."),
            new KeyFamily(LIMITS_TIER_PREFIX, "limits.tier.<tier>.<limit>=n",
                    "A tenant tier's request and token limits (limit stage), for tenants put in the tier by"
                            + " tenants.tiers; <limit> as the limits.* keys without their prefix."),
            new KeyFamily(BUDGETS_TIER_PREFIX, "budgets.tier.<tier>.<budget>=micro-dollars",
                    "A tenant tier's budget (budget stage): daily.micros or monthly.micros, in micro-dollars (0: no"
                            + " ceiling)."),
            new KeyFamily(KAFKA_PREFIX, "kafka.<client setting>=value",
                    "A Kafka client setting, prefix removed, for Kafka Streams and Sluice's own clients, e.g."
                            + " kafka.security.protocol; Kafka Streams' per-client prefixes work after it"
                            + " (kafka.producer.batch.size)."));

    /** Whether {@code key} is a setting Sluice reads: defined, in a {@linkplain #FAMILIES family}, or a secret provider's. */
    public static boolean known(String key) {
        return DEFINITION.names().contains(key) || key.startsWith("config.providers")
                || FAMILIES.stream().anyMatch(family -> key.startsWith(family.prefix()));
    }

    public static final String KAFKA_BOOTSTRAP_SERVERS = "kafka.bootstrap.servers";
    public static final String SCHEMA_REGISTRY_URL = "schema.registry.url";
    public static final String SCHEMA_REGISTRY_USER_INFO = "schema.registry.basic.auth.user.info";
    public static final String APPLICATION_ID = "application.id";
    public static final String STATE_DIR = "state.dir";
    public static final String EMBEDDED_DATA_DIR = "embedded.data.dir";
    public static final String EMBEDDED_KAFKA_PORT = "embedded.kafka.port";
    public static final String EMBEDDED_KAFKA_USERS = "embedded.kafka.users";
    public static final String EMBEDDED_REGISTRY_PORT = "embedded.registry.port";
    public static final String EMBEDDED_SIMULATOR_PORT = "embedded.simulator.port";
    public static final String TOPICS_PREFIX = "topics.prefix";
    public static final String TOPIC_REQUESTS = "topics.requests";
    public static final String TOPIC_RESPONSES = "topics.responses";
    public static final String TOPIC_REJECTED = "topics.rejected";
    public static final String TOPIC_DEAD_LETTER = "topics.dead.letter";
    public static final String TOPICS_PARTITIONS = "topics.partitions";
    public static final String TOPICS_REPLICATION_FACTOR = "topics.replication.factor";
    public static final String PROCESSING_GUARANTEE = "processing.guarantee";
    public static final String NUM_STREAM_THREADS = "streams.num.threads";
    public static final String COMMIT_INTERVAL_MS = "streams.commit.interval.ms";
    public static final String GROUP_INSTANCE_ID = "streams.group.instance.id";
    public static final String TRANSACTION_TIMEOUT_MS = "streams.transaction.timeout.ms";
    public static final String END_HANGING_TRANSACTIONS = "transactions.end.hanging";
    public static final String SANITIZE_MAX_MESSAGES = "sanitize.max.messages";
    public static final String SANITIZE_MAX_CHARS = "sanitize.max.chars";
    public static final String HTTP_API_KEYS_FILE = "http.api.keys.file";
    public static final String HTTP_AUTH = "http.auth";
    public static final String HTTP_CHAT_TIMEOUT_MS = "http.chat.timeout.ms";
    public static final String HTTP_WAIT_MAX_MS = "http.wait.max.ms";
    public static final String HTTP_MAX_WAITING = "http.max.waiting";
    public static final String HTTP_MAX_BODY_BYTES = "http.max.body.bytes";
    public static final String HTTP_TLS_KEYSTORE = "http.tls.keystore.path";
    public static final String HTTP_TLS_KEYSTORE_PASSWORD = "http.tls.keystore.password";
    public static final String HEALTH_STALL_TIMEOUT_MS = "health.stall.timeout.ms";
    public static final String HEALTH_FAILURE_WINDOW_MS = "health.thread.failure.window.ms";
    public static final String SHUTDOWN_TIMEOUT_MS = "shutdown.timeout.ms";
    public static final String METRICS_TENANT_TAGS_MAX = "metrics.tenant.tags.max";
    public static final String CALL_MAX_RESPONSE_BYTES = "call.max.response.bytes";
    public static final String INTAKE_MAX_RECORD_BYTES = "intake.max.record.bytes";
    public static final String INTAKE_TENANT_TOPICS = "intake.tenant.topics";
    public static final String INTAKE_MAX_COLLECTION_ITEMS = "intake.max.collection.items";
    public static final String SANITIZE_MAX_TOKENS = "sanitize.max.tokens";
    public static final String SANITIZE_INJECTION_ACTION = "sanitize.injection.action";
    public static final String SANITIZE_INJECTION_THRESHOLD = "sanitize.injection.threshold";
    public static final String SANITIZE_PII_ACTION = "sanitize.pii.action";
    public static final String SANITIZE_INJECTION_MODEL = "sanitize.injection.model";
    public static final String SANITIZE_INJECTION_MODEL_THRESHOLD = "sanitize.injection.model.threshold";
    public static final String SANITIZE_PII_ENTITIES = "sanitize.pii.entities";
    public static final String OUTPUT_GUARD_PII = "output.guard.pii";
    public static final String OUTPUT_GUARD_ENTITIES = "output.guard.entities";
    public static final String OUTPUT_GUARD_DENY = "output.guard.deny";
    public static final String OUTPUT_GUARD_INJECTION = "output.guard.injection";
    public static final String LIMIT_USER_RPM = "limits.user.requests.per.minute";
    public static final String LIMIT_USER_RPH = "limits.user.requests.per.hour";
    public static final String LIMIT_USER_RPD = "limits.user.requests.per.day";
    public static final String LIMIT_USER_TPM = "limits.user.tokens.per.minute";
    public static final String LIMIT_USER_TPD = "limits.user.tokens.per.day";
    public static final String LIMIT_TENANT_RPM = "limits.tenant.requests.per.minute";
    public static final String LIMIT_TENANT_RPH = "limits.tenant.requests.per.hour";
    public static final String LIMIT_TENANT_RPD = "limits.tenant.requests.per.day";
    public static final String LIMIT_TENANT_TPM = "limits.tenant.tokens.per.minute";
    public static final String LIMIT_TENANT_TPD = "limits.tenant.tokens.per.day";
    /** Every windowed limit key; tiers override them as limits.tier.<tier>.<key without "limits.">. */
    public static final java.util.List<String> LIMIT_KEYS = java.util.List.of(LIMIT_USER_RPM, LIMIT_USER_RPH,
            LIMIT_USER_RPD, LIMIT_USER_TPM, LIMIT_USER_TPD, LIMIT_TENANT_RPM, LIMIT_TENANT_RPH, LIMIT_TENANT_RPD,
            LIMIT_TENANT_TPM, LIMIT_TENANT_TPD);
    public static final String TENANT_TIERS = "tenants.tiers";
    public static final String LIMITS_MAX_FUTURE_SKEW_MS = "limits.max.future.skew.ms";
    public static final String DEFAULT_OUTPUT_TOKENS = "limits.default.output.tokens";
    public static final String BUDGET_TIMEZONE = "budgets.timezone";
    public static final String BUDGET_TENANT_DAILY = "budgets.tenant.daily.micros";
    public static final String BUDGET_TENANT_MONTHLY = "budgets.tenant.monthly.micros";
    public static final String BUDGET_SOFT_PERCENT = "budgets.soft.threshold.percent";
    public static final String BUDGET_RESERVATION_TTL_MS = "budgets.reservation.ttl.ms";
    public static final String BUDGET_FALLBACK_ROUTES = "budgets.soft.fallback.routes";
    public static final String TOPIC_SETTLEMENTS = "topics.budget.settlements";
    public static final String TOPIC_BUDGET_EVENTS = "topics.budget.events";
    public static final String TOPIC_RETRY = "topics.retry";
    public static final String TOPIC_USAGE = "topics.usage";
    /** The version of the price table built into this release, the default of {@link #PRICES_VERSION}. */
    public static final String BUILTIN_PRICES_VERSION = "builtin-2026-11";
    public static final String PRICES_VERSION = "prices.version";
    public static final String PRICES_MODELS = "prices.models";
    public static final String TOPIC_PROVIDER_STATS = "topics.provider.stats";
    public static final String TOPIC_AUDIT = "topics.audit";
    public static final String ACCOUNTING_TENANT_TIMEZONES = "accounting.tenant.timezones";
    public static final String ACCOUNTING_HOURLY_RETENTION_MS = "accounting.hourly.retention.ms";
    public static final String ACCOUNTING_DAILY_RETENTION_MS = "accounting.daily.retention.ms";
    public static final String ACCOUNTING_MINUTE_RETENTION_MS = "accounting.minute.retention.ms";
    public static final String ACCOUNTING_STATUS_RETENTION_MS = "accounting.status.retention.ms";
    public static final String HTTP_PORT = "http.port";
    public static final String HTTP_HOST = "http.host";
    public static final String HTTP_ADVERTISED = "http.advertised.address";
    public static final String ROUTES = "routes";
    public static final String OPENAI_BASE_URL = "providers.openai.base.url";
    public static final String OPENAI_API_KEY = "providers.openai.api.key";
    public static final String ANTHROPIC_BASE_URL = "providers.anthropic.base.url";
    public static final String ANTHROPIC_API_KEY = "providers.anthropic.api.key";
    public static final String PROVIDERS_CLEARTEXT_HTTP2 = "providers.http.cleartext.h2c";
    public static final String CALL_TIMEOUT_MS = "call.timeout.ms";
    public static final String CALL_MAX_ATTEMPTS = "call.max.attempts";
    public static final String CALL_BACKOFF_MS = "call.retry.backoff.ms";
    public static final String CALL_MAX_IN_FLIGHT = "call.max.in.flight.per.task";
    public static final String CALL_MAX_WAITING = "call.max.waiting.per.task";
    public static final String CALL_POLL_INTERVAL_MS = "call.completion.poll.ms";
    public static final String CALL_DEDUP_RETENTION_MS = "call.dedup.retention.ms";
    public static final String CALL_MAX_WAIT_MS = "call.max.circuit.wait.ms";
    public static final String CALL_RETRY_TIERS = "call.retry.tiers";
    public static final String CALL_CACHE_TTL_MS = "call.cache.ttl.ms";
    public static final String CALL_IN_FLIGHT_STORE = "call.in.flight.store";
    public static final String BULKHEAD_MAX_CALLS = "call.bulkhead.max.concurrent.per.provider";
    public static final String OPENAI_RPM = "providers.openai.requests.per.minute";
    public static final String OPENAI_TPM = "providers.openai.tokens.per.minute";
    public static final String ANTHROPIC_RPM = "providers.anthropic.requests.per.minute";
    public static final String ANTHROPIC_TPM = "providers.anthropic.tokens.per.minute";
    public static final String BREAKER_FAILURE_RATE = "call.breaker.failure.rate.percent";
    public static final String BREAKER_SLOW_CALL_MS = "call.breaker.slow.call.ms";
    public static final String BREAKER_SLOW_RATE = "call.breaker.slow.call.rate.percent";
    public static final String BREAKER_WINDOW = "call.breaker.window.calls";
    public static final String BREAKER_MIN_CALLS = "call.breaker.minimum.calls";
    public static final String BREAKER_OPEN_MS = "call.breaker.open.ms";
    public static final String BREAKER_HALF_OPEN_CALLS = "call.breaker.half.open.calls";

    public static final ConfigDef DEFINITION = new ConfigDef()
            .define(KAFKA_BOOTSTRAP_SERVERS, Type.STRING, "", HIGH,
                    "Kafka bootstrap servers. Empty: start the embedded single-node KRaft broker.")
            .define(SCHEMA_REGISTRY_URL, Type.STRING, "", HIGH,
                    "Confluent-compatible Schema Registry URL. Empty: start the embedded registry on the Kafka cluster.")
            .define(SCHEMA_REGISTRY_USER_INFO, Type.PASSWORD, null, LOW,
                    "user:password for Schema Registry basic auth, as a secret reference such as ${env:SR_AUTH}.")
            .define(APPLICATION_ID, Type.STRING, "sluice", new ConfigDef.NonEmptyString(), HIGH,
                    "Kafka Streams application id: consumer group, transactional id and internal topic prefix.")
            .define(STATE_DIR, Type.STRING, ".sluice/state", MEDIUM,
                    "Directory for Kafka Streams state stores (RocksDB).")
            .define(EMBEDDED_DATA_DIR, Type.STRING, ".sluice/kafka", MEDIUM,
                    "Directory of the embedded broker's log; kept across restarts.")
            .define(EMBEDDED_KAFKA_PORT, Type.INT, 9092, between(0, 65535), LOW,
                    "Client port of the embedded broker (0: any free port).")
            .define(EMBEDDED_KAFKA_USERS, Type.PASSWORD, null, MEDIUM,
                    "Runs the embedded broker secured: SASL/SCRAM-SHA-256 users as name:password,... (a secret"
                            + " reference such as ${file:/run/secrets/kafka-users:users}); the first is its"
                            + " administrator, which Sluice and the embedded registry use; no access without an ACL"
                            + " (./sluice acls --apply). Users are written when the data directory is first made.")
            .define(EMBEDDED_REGISTRY_PORT, Type.INT, 8081, between(0, 65535), LOW,
                    "Port of the embedded schema registry (0: any free port).")
            .define(EMBEDDED_SIMULATOR_PORT, Type.INT, 0, between(0, 65535), LOW,
                    "Port of the provider simulator used when a provider has no API key (0: any free port).")
            .define(TOPICS_PREFIX, Type.STRING, "sluice.", MEDIUM,
                    "Prefix of every topic name below.")
            .define(TOPIC_REQUESTS, Type.STRING, "requests", new ConfigDef.NonEmptyString(), MEDIUM,
                    "Topic producers write PromptRequest events to.")
            .define(TOPIC_RESPONSES, Type.STRING, "responses", new ConfigDef.NonEmptyString(), MEDIUM,
                    "Topic of PromptResponse outcomes, keyed by request id.")
            .define(TOPIC_REJECTED, Type.STRING, "rejected", new ConfigDef.NonEmptyString(), MEDIUM,
                    "Topic of RejectedRequest outcomes, keyed by request id.")
            .define(TOPIC_DEAD_LETTER, Type.STRING, "dead-letter", new ConfigDef.NonEmptyString(), MEDIUM,
                    "Dead-letter topic: original bytes plus error headers.")
            .define(TOPIC_SETTLEMENTS, Type.STRING, "budget-settlements", new ConfigDef.NonEmptyString(), LOW,
                    "Topic carrying each request's actual cost from the call stage back to its tenant's budget.")
            .define(TOPIC_BUDGET_EVENTS, Type.STRING, "budget-events", new ConfigDef.NonEmptyString(), MEDIUM,
                    "Topic of BudgetEvent records (soft threshold crossed, hard limit reached), keyed by tenant id.")
            .define(TOPIC_RETRY, Type.STRING, "retry", new ConfigDef.NonEmptyString(), MEDIUM,
                    "Base name of the delayed retry topics, one per tier of call.retry.tiers: <prefix><name>-1, -2, ...")
            .define(PRICES_VERSION, Type.STRING, BUILTIN_PRICES_VERSION,
                    new ConfigDef.NonEmptyString(), MEDIUM,
                    "Name of the price table, recorded on every priced response (priceVersion); must change when"
                    + " prices.models is set.")
            .define(PRICES_MODELS, Type.LIST, "", MEDIUM,
                    "Prices laid over the built-in ones: model:input:cached_input:output in micro-dollars per million"
                    + " tokens, e.g. gpt-4o:2500000:1250000:10000000. Unpriced models cost 0 and are counted as such.")
            .define(TOPIC_USAGE, Type.STRING, "usage", new ConfigDef.NonEmptyString(), MEDIUM,
                    "Compacted topic of usage rows (tenant and user, per hour, day, month and in total), for sinks.")
            .define(TOPIC_PROVIDER_STATS, Type.STRING, "provider-stats", new ConfigDef.NonEmptyString(), MEDIUM,
                    "Compacted topic of per-task provider/model/variant rows per minute, for sinks (merge by key).")
            .define(TOPIC_AUDIT, Type.STRING, "audit", new ConfigDef.NonEmptyString(), MEDIUM,
                    "Audit trail: one record per terminal outcome and per operator action; no prompt text.")
            .define(ACCOUNTING_TENANT_TIMEZONES, Type.LIST, "", MEDIUM,
                    "Tenants' own time zones for their calendar days and months, e.g. acme:Europe/Berlin,globex:Asia/Tokyo;"
                    + " others use budgets.timezone.")
            .define(ACCOUNTING_HOURLY_RETENTION_MS, Type.LONG, 7L * 86_400_000, atLeast(3_600_000), LOW,
                    "How long hourly usage rows stay queryable after their hour (the usage topic keeps them).")
            .define(ACCOUNTING_DAILY_RETENTION_MS, Type.LONG, 400L * 86_400_000, atLeast(86_400_000), LOW,
                    "How long daily usage rows stay queryable after their day; monthly and total rows stay.")
            .define(ACCOUNTING_MINUTE_RETENTION_MS, Type.LONG, 2L * 86_400_000, atLeast(600_000), LOW,
                    "How long per-minute provider rows stay queryable.")
            .define(ACCOUNTING_STATUS_RETENTION_MS, Type.LONG, 7L * 86_400_000, atLeast(60_000), MEDIUM,
                    "How long a request's status stays queryable by id.")
            .define(HTTP_PORT, Type.INT, 8080, between(0, 65_535), MEDIUM,
                    "Port of the HTTP API (usage, provider stats, request status, health, metrics); 0 picks a free one.")
            .define(HTTP_HOST, Type.STRING, "127.0.0.1", MEDIUM,
                    "Address the HTTP API listens on; this machine only by default. Another address needs API keys"
                            + " (http.api.keys.file) or http.auth=none.")
            .define(HTTP_API_KEYS_FILE, Type.STRING, "", MEDIUM,
                    "File of the HTTP API's keys, as hashes (./sluice keys add); read again when it changes. Set,"
                            + " every /v1 call needs a key: a tenant's sees that tenant, an operator's sees all.")
            .define(HTTP_TLS_KEYSTORE, Type.STRING, "", MEDIUM,
                    "PKCS12 key store with the HTTP API's certificate and key: set, the API serves HTTPS only, and"
                            + " relays between instances use HTTPS, checking that the certificate names each host.")
            .define(HTTP_TLS_KEYSTORE_PASSWORD, Type.PASSWORD, null, MEDIUM,
                    "Password of http.tls.keystore.path, as a secret reference such as ${env:SLUICE_HTTP_TLS_PASSWORD}.")
            .define(HTTP_AUTH, Type.STRING, "auto", ValidString.in("auto", "keys", "none"), MEDIUM,
                    "auto: keys when http.api.keys.file is set, else open on a loopback http.host and a start"
                            + " failure on any other; keys: always; none: open on purpose (behind your own proxy).")
            .define(HTTP_CHAT_TIMEOUT_MS, Type.LONG, 120_000L, atLeast(1_000), MEDIUM,
                    "How long POST /v1/chat/completions waits for its outcome; also the request's deadline, past"
                            + " which the pipeline ends it instead of calling a provider, so a caller that has gone"
                            + " is not billed.")
            .define(HTTP_WAIT_MAX_MS, Type.LONG, 60_000L, atLeast(0), LOW,
                    "Longest long-poll of GET /v1/requests/{id}?wait=...; a longer wait asked for is cut to it.")
            .define(HTTP_MAX_WAITING, Type.INT, 10_000, atLeast(1), MEDIUM,
                    "HTTP calls one instance lets wait for outcomes at once; past it a call is answered 503 with"
                            + " Retry-After, before anything is produced.")
            .define(HTTP_MAX_BODY_BYTES, Type.INT, 1_048_576, atLeast(1_024), MEDIUM,
                    "Largest request body the HTTP API reads (413 past it).")
            .define(HTTP_ADVERTISED, Type.STRING, "", MEDIUM,
                    "host:port other instances reach this one's HTTP API at (Kafka Streams' application.server);"
                    + " empty: this machine's host name and http.port.")
            .define(TOPICS_PARTITIONS, Type.INT, 6, atLeast(1), MEDIUM,
                    "Partitions of topics Sluice creates; bounds how many instances share the work.")
            .define(TOPICS_REPLICATION_FACTOR, Type.SHORT, (short) -1, LOW,
                    "Replication factor of topics Sluice creates (-1: the broker's default).")
            .define(PROCESSING_GUARANTEE, Type.STRING, "exactly_once_v2",
                    ValidString.in("exactly_once_v2", "at_least_once"), HIGH,
                    "Kafka Streams processing guarantee.")
            .define(NUM_STREAM_THREADS, Type.INT, 2, atLeast(1), MEDIUM,
                    "Stream threads per instance.")
            .define(COMMIT_INTERVAL_MS, Type.LONG, 20L, atLeast(1), MEDIUM,
                    "How often Streams commits, i.e. how long outputs wait in an open transaction; a request waits"
                            + " for about three commits (one per stage it crosses) before its outcome is visible.")
            .define(GROUP_INSTANCE_ID, Type.STRING, "auto", MEDIUM,
                    "Static group membership: an instance restarted after a crash takes its tasks back at once"
                            + " instead of waiting out its dead consumers' session timeout. 'auto': the"
                            + " application id and an id kept in state.dir; empty: dynamic membership; anything"
                            + " else: used as is, and must differ between instances.")
            .define(END_HANGING_TRANSACTIONS, Type.BOOLEAN, true, MEDIUM,
                    "End a transaction that a crash left open on Sluice's partitions and that no coordinator will"
                            + " end, when it was this application's own: with the marker its coordinator decided"
                            + " (commit or abort, read from __transaction_state), a log line and an audit record;"
                            + " false: only report it (/health/ready, sluice doctor).")
            .define(TRANSACTION_TIMEOUT_MS, Type.INT, 60_000, atLeast(1000), LOW,
                    "Producer transaction timeout; must exceed the longest drain wait plus a commit.")
            .define(HEALTH_STALL_TIMEOUT_MS, Type.LONG, 60_000L, atLeast(5_000), MEDIUM,
                    "How long a stage may have records waiting without committing any before /health/ready"
                            + " answers DOWN naming it.")
            .define(HEALTH_FAILURE_WINDOW_MS, Type.LONG, 60_000L, atLeast(1_000), LOW,
                    "Two stream-thread failures within this window make /health/ready answer DOWN, until a window"
                            + " passes without one.")
            .define(METRICS_TENANT_TAGS_MAX, Type.INT, 100, atLeast(0), LOW,
                    "Most tenants an instance tags its token and cost meters with by name: the first ones it"
                            + " answers, in that order; any later tenant is tagged 'other', so tenant ids a producer"
                            + " makes up cannot add series without end (0: every tenant is 'other').")
            .define(SHUTDOWN_TIMEOUT_MS, Type.LONG, 60_000L, atLeast(1_000), MEDIUM,
                    "Longest a stop (Ctrl-C, SIGTERM) may take: past it the process halts, what was not committed"
                            + " is redone by the next start.")
            .define(CALL_MAX_RESPONSE_BYTES, Type.INT, 4 * 1024 * 1024, atLeast(1024), MEDIUM,
                    "Largest provider answer read, in bytes after decompression; a larger one is cut off and fails"
                            + " as 'response_too_large' (not retried; the route's next target is tried).")
            .define(INTAKE_TENANT_TOPICS, Type.LIST, "", topicNames(), MEDIUM,
                    "Tenants with topics of their own: requests read from <prefix>requests.<tenant> are that"
                            + " tenant's only (one naming another tenant is rejected TENANT_MISMATCH), and their"
                            + " answers and rejections are copied to <prefix>responses.<tenant> and"
                            + " <prefix>rejected.<tenant>; ./sluice acls gives a producer its tenant's topics alone.")
            .define(INTAKE_MAX_RECORD_BYTES, Type.INT, 1024 * 1024, atLeast(1024), MEDIUM,
                    "Largest requests-topic record read, in bytes; a larger one is dead-lettered before it is"
                            + " decoded.")
            .define(INTAKE_MAX_COLLECTION_ITEMS, Type.INT, 10_000, atLeast(1), MEDIUM,
                    "Most items a request's arrays and maps (messages, stop sequences, metadata) may declare"
                            + " together; a record declaring more is dead-lettered before anything is allocated.")
            .define(SANITIZE_MAX_MESSAGES, Type.INT, 64, atLeast(1), MEDIUM,
                    "Most chat messages a request may carry.")
            .define(SANITIZE_MAX_CHARS, Type.INT, 32_000, atLeast(1), MEDIUM,
                    "Most characters of message content a request may carry, summed over messages.")
            .define(SANITIZE_MAX_TOKENS, Type.INT, 16_000, atLeast(1), MEDIUM,
                    "Most input tokens a request may carry, counted with the route model's tokenizer.")
            .define(SANITIZE_INJECTION_ACTION, Type.STRING, "block", ValidString.in("block", "flag", "off"), HIGH,
                    "Likely prompt injections: block (reject), flag (pass, marked) or off; per route: sanitize.route.<route>.injection.action.")
            .define(SANITIZE_INJECTION_THRESHOLD, Type.DOUBLE, 1.0, ConfigDef.Range.atLeast(0.01), MEDIUM,
                    "Rules' injection score at or above which the rules alone call a message an injection (the verdict"
                            + " when sanitize.injection.model=off); per route: sanitize.route.<route>.injection.threshold.")
            .define(SANITIZE_INJECTION_MODEL, Type.STRING, "on", ValidString.in("on", "off"), MEDIUM,
                    "Whether the trained injection classifier joins the rules in the verdict (combined probability"
                            + " against a threshold per action); per route: sanitize.route.<route>.injection.model.")
            .define(SANITIZE_INJECTION_MODEL_THRESHOLD, Type.STRING, "calibrated", new ConfigDef.Validator() {
                        @Override
                        public void ensureValid(String name, Object value) {
                            String v = String.valueOf(value).strip();
                            if (v.equals("calibrated")) {
                                return;
                            }
                            try {
                                double t = Double.parseDouble(v);
                                if (t > 0 && t < 1) {
                                    return;
                                }
                            } catch (NumberFormatException ignored) {
                                // reported below
                            }
                            throw new org.apache.kafka.common.config.ConfigException(name, value,
                                    "must be 'calibrated' or a probability between 0 and 1");
                        }

                        @Override
                        public String toString() {
                            return "calibrated or (0, 1)";
                        }
                    }, LOW,
                    "Combined injection probability at or above which the action fires: calibrated (the model's"
                            + " threshold for block or flag, set when it was trained) or a number; per route:"
                            + " sanitize.route.<route>.injection.model.threshold.")
            .define(SANITIZE_PII_ACTION, Type.STRING, "redact", ValidString.in("redact", "pass"), HIGH,
                    "Personal data and secrets in prompts: redact before the provider sees them, or pass; per route: sanitize.route.<route>.pii.action.")
            .define(SANITIZE_PII_ENTITIES, Type.STRING, "none", MEDIUM,
                    "Name-like entities to search prompts for as well, redacted or passed as sanitize.pii.action says:"
                            + " none, all, or some of PERSON,STREET_ADDRESS,ORGANIZATION; per route:"
                            + " sanitize.route.<route>.pii.entities.")
            .define(OUTPUT_GUARD_PII, Type.STRING, "off", ValidString.in("off", "redact", "block"), MEDIUM,
                    "Personal data and secrets in the model's answer: off (not checked), redact (placeholders, status"
                            + " unchanged) or block (status BLOCKED, empty content); per route:"
                            + " output.guard.route.<route>.pii.")
            .define(OUTPUT_GUARD_ENTITIES, Type.STRING, "none", LOW,
                    "Name-like entities to look for in answers as well, under output.guard.pii: none, all, or some of"
                            + " PERSON,STREET_ADDRESS,ORGANIZATION; per route: output.guard.route.<route>.entities.")
            .define(OUTPUT_GUARD_DENY, Type.LIST, "", MEDIUM,
                    "Phrases (comma-separated, whole words, any case) that block an answer holding one; per route:"
                            + " output.guard.route.<route>.deny.")
            .define(OUTPUT_GUARD_INJECTION, Type.STRING, "off", ValidString.in("off", "block"), MEDIUM,
                    "Block answers that read as a prompt injection (rules and model at the block threshold), for"
                            + " answers passed on to agents; per route: output.guard.route.<route>.injection.")
            .define(LIMIT_USER_RPM, Type.LONG, 20L, atLeast(0), HIGH,
                    "Requests a user may make in any rolling minute (0: no limit).")
            .define(LIMIT_USER_RPH, Type.LONG, 300L, atLeast(0), MEDIUM,
                    "Requests a user may make in any rolling hour (0: no limit).")
            .define(LIMIT_USER_RPD, Type.LONG, 2_000L, atLeast(0), MEDIUM,
                    "Requests a user may make in any rolling day (0: no limit).")
            .define(LIMIT_USER_TPM, Type.LONG, 50_000L, atLeast(0), MEDIUM,
                    "Estimated tokens (input + requested output) a user may use in any rolling minute (0: no limit).")
            .define(LIMIT_USER_TPD, Type.LONG, 2_000_000L, atLeast(0), MEDIUM,
                    "Estimated tokens a user may use in any rolling day (0: no limit).")
            .define(LIMIT_TENANT_RPM, Type.LONG, 1_000L, atLeast(0), HIGH,
                    "Requests a tenant (all its users) may make in any rolling minute (0: no limit).")
            .define(LIMIT_TENANT_RPH, Type.LONG, 30_000L, atLeast(0), MEDIUM,
                    "Requests a tenant may make in any rolling hour (0: no limit).")
            .define(LIMIT_TENANT_RPD, Type.LONG, 300_000L, atLeast(0), MEDIUM,
                    "Requests a tenant may make in any rolling day (0: no limit).")
            .define(LIMIT_TENANT_TPM, Type.LONG, 2_000_000L, atLeast(0), MEDIUM,
                    "Estimated tokens a tenant may use in any rolling minute (0: no limit).")
            .define(LIMIT_TENANT_TPD, Type.LONG, 100_000_000L, atLeast(0), MEDIUM,
                    "Estimated tokens a tenant may use in any rolling day (0: no limit).")
            .define(TENANT_TIERS, Type.LIST, "", MEDIUM,
                    "Tenant tiers as tenant=tier; a tier's limits and budgets are set as limits.tier.<tier>.<limit> and budgets.tier.<tier>.<budget>.")
            .define(LIMITS_MAX_FUTURE_SKEW_MS, Type.LONG, 5_000L, atLeast(0), LOW,
                    "A request time further than this ahead of the wall clock is judged as now plus this.")
            .define(DEFAULT_OUTPUT_TOKENS, Type.INT, 256, atLeast(1), LOW,
                    "Output tokens assumed for token limits and cost reservations when a request sets no maxTokens.")
            .define(BUDGET_TIMEZONE, Type.STRING, "UTC", zoneId(), MEDIUM,
                    "Time zone in which daily and monthly budgets reset at midnight.")
            .define(BUDGET_RESERVATION_TTL_MS, Type.LONG, 6 * 3_600_000L, atLeast(60_000), MEDIUM,
                    "A request's reserved cost is released if no settlement came within this time (a lost"
                            + " outcome must not hold a tenant's budget forever), with a RESERVATION_EXPIRED budget"
                            + " event; keep it above the longest a request can take (retry tiers included).")
            .define(BUDGET_TENANT_DAILY, Type.LONG, 0L, atLeast(0), HIGH,
                    "Hard ceiling on a tenant's spend per calendar day, micro-dollars (0: none).")
            .define(BUDGET_TENANT_MONTHLY, Type.LONG, 0L, atLeast(0), HIGH,
                    "Hard ceiling on a tenant's spend per calendar month, micro-dollars (0: none).")
            .define(BUDGET_SOFT_PERCENT, Type.INT, 80, between(1, 100), MEDIUM,
                    "Soft threshold, percent of a ceiling: crossing it emits a budget event and switches fallback routes.")
            .define(BUDGET_FALLBACK_ROUTES, Type.LIST, "", MEDIUM,
                    "route=cheaper-route pairs used for a tenant past its soft threshold, e.g. default=economy.")
            .define(ROUTES, Type.LIST, "default=openai:gpt-4o-mini,claude=anthropic:claude-sonnet-4-5", HIGH,
                    "Routes as name=provider:model>fallback-provider:model..., comma-separated; a request's route must be one of these names.")
            .define(OPENAI_BASE_URL, Type.STRING, "", MEDIUM,
                    "Base URL of the OpenAI-compatible API, e.g. https://api.openai.com/v1. Empty with no key: the simulator.")
            .define(OPENAI_API_KEY, Type.PASSWORD, null, HIGH,
                    "OpenAI API key as a secret reference, e.g. ${env:OPENAI_API_KEY}.")
            .define(ANTHROPIC_BASE_URL, Type.STRING, "", MEDIUM,
                    "Base URL of the Anthropic API, e.g. https://api.anthropic.com. Empty with no key: the simulator.")
            .define(ANTHROPIC_API_KEY, Type.PASSWORD, null, HIGH,
                    "Anthropic API key as a secret reference, e.g. ${dir:/run/secrets:anthropic_key}.")
            .define(PROVIDERS_CLEARTEXT_HTTP2, Type.BOOLEAN, false, LOW,
                    "Speak HTTP/2 with prior knowledge (h2c) to http:// base URLs; only for servers that speak it. "
                    + "HTTPS always negotiates HTTP/2 by ALPN when the server offers it; the simulator is always h2c.")
            .define(CALL_TIMEOUT_MS, Type.INT, 30_000, atLeast(1), HIGH,
                    "Hard timeout of one provider call.")
            .define(CALL_MAX_ATTEMPTS, Type.INT, 3, atLeast(1), HIGH,
                    "Calls per target of a route for retryable errors, before the next target (or the dead-letter topic).")
            .define(CALL_BACKOFF_MS, Type.INT, 200, atLeast(0), MEDIUM,
                    "First retry backoff; doubles each attempt.")
            .define(CALL_MAX_IN_FLIGHT, Type.INT, 2_000, atLeast(1), MEDIUM,
                    "Provider calls in flight per stream task before process() waits for completions.")
            .define(CALL_MAX_WAITING, Type.INT, 10_000, atLeast(1), MEDIUM,
                    "Requests per stream task waiting in memory for a circuit, a provider quota, a bulkhead slot"
                            + " or a backoff before process() stops taking more: past it they wait in Kafka (lag).")
            .define(CALL_POLL_INTERVAL_MS, Type.LONG, 20L, atLeast(1), LOW,
                    "Wall-clock interval at which finished calls are forwarded when no input arrives.")
            .define(BREAKER_FAILURE_RATE, Type.INT, 50, between(1, 100), MEDIUM,
                    "A provider/model circuit opens when this percentage of the recent calls failed (server errors, 429, timeouts).")
            .define(BREAKER_SLOW_CALL_MS, Type.INT, 20_000, atLeast(1), MEDIUM,
                    "A call slower than this counts as slow for the circuit breaker.")
            .define(BREAKER_SLOW_RATE, Type.INT, 80, between(1, 100), MEDIUM,
                    "A circuit opens when this percentage of the recent calls were slow.")
            .define(BREAKER_WINDOW, Type.INT, 50, atLeast(1), LOW,
                    "Recent calls per provider/model the circuit breaker judges (count-based sliding window).")
            .define(BREAKER_MIN_CALLS, Type.INT, 20, atLeast(1), LOW,
                    "Calls a circuit needs to have seen before it may open.")
            .define(BREAKER_OPEN_MS, Type.INT, 30_000, atLeast(1), MEDIUM,
                    "How long an open circuit stays open before trial calls are let through.")
            .define(BREAKER_HALF_OPEN_CALLS, Type.INT, 5, atLeast(1), LOW,
                    "Trial calls a half-open circuit lets through to decide whether to close.")
            .define(OPENAI_RPM, Type.LONG, 0L, atLeast(0), MEDIUM,
                    "Your OpenAI quota in requests per minute; calls queue rather than exceed it (0: no client-side limit).")
            .define(OPENAI_TPM, Type.LONG, 0L, atLeast(0), MEDIUM,
                    "Your OpenAI quota in tokens per minute (estimated input + requested output); calls queue rather than exceed it (0: none).")
            .define(ANTHROPIC_RPM, Type.LONG, 0L, atLeast(0), MEDIUM,
                    "Your Anthropic quota in requests per minute; calls queue rather than exceed it (0: none).")
            .define(ANTHROPIC_TPM, Type.LONG, 0L, atLeast(0), MEDIUM,
                    "Your Anthropic quota in tokens per minute; calls queue rather than exceed it (0: none).")
            .define(BULKHEAD_MAX_CALLS, Type.INT, 2_000, atLeast(1), MEDIUM,
                    "Provider calls in flight at once per provider and instance; past it calls queue (no attempt is spent).")
            .define(CALL_MAX_WAIT_MS, Type.LONG, 300_000L, atLeast(0), MEDIUM,
                    "How long a request may wait in flight for an open circuit of its route to let a call through, before it is dead-lettered.")
            .define(CALL_RETRY_TIERS, Type.LIST, "30s,5m", durations(), MEDIUM,
                    "Delays of the retry tiers (e.g. 30s,5m,1h): a request whose route could not answer for a retryable reason waits on each tier's topic in turn before the dead-letter topic; empty: straight to the dead-letter topic.")
            .define(CALL_CACHE_TTL_MS, Type.LONG, 3_600_000L, atLeast(1_000), MEDIUM,
                    "How long an answer stays in the response cache of routes with routes.cache.<route>=on or fallback.")
            .define(CALL_IN_FLIGHT_STORE, Type.STRING, "memory", ConfigDef.ValidString.in("memory", "rocksdb"), LOW,
                    "Where the call-in-flight store lives: memory (the default; about 1.3x the throughput, since no "
                    + "RocksDB write or flush per call) or rocksdb (for many parked retries: they stay in it until "
                    + "their last tier). Either way it is changelogged and restored after a crash.")
            .define(CALL_DEDUP_RETENTION_MS, Type.LONG, 86_400_000L, atLeast(60_000), MEDIUM,
                    "How long an answered request id is remembered: a resend or replay within it is not called or charged again.");

    private SluiceConfigDef() {}

    private static ConfigDef.Validator durations() {
        return ConfigDef.LambdaValidator.with((name, value) -> {
            for (Object each : (java.util.List<?>) value) {
                try {
                    if (Durations.parse(String.valueOf(each)).isZero()) {
                        throw new IllegalArgumentException("zero");
                    }
                } catch (IllegalArgumentException e) {
                    throw new org.apache.kafka.common.config.ConfigException(name, value,
                            "each entry must be a positive duration such as 500ms, 30s, 5m or 1h, but '" + each + "' is not");
                }
            }
        }, () -> "durations such as 30s,5m,1h");
    }

    /** Tenant ids that are also topic names: 1-128 characters of [A-Za-z0-9._-]. */
    private static ConfigDef.Validator topicNames() {
        return ConfigDef.LambdaValidator.with((name, value) -> {
            for (Object tenant : (java.util.List<?>) value) {
                if (!String.valueOf(tenant).matches("[A-Za-z0-9._-]{1,128}")) {
                    throw new org.apache.kafka.common.config.ConfigException(name, tenant, "a tenant with topics of its"
                            + " own needs an id that is also a topic name: 1-128 characters of [A-Za-z0-9._-]");
                }
            }
        }, () -> "tenant ids of 1-128 characters of [A-Za-z0-9._-]");
    }

    private static ConfigDef.Validator zoneId() {
        return ConfigDef.LambdaValidator.with((name, value) -> {
            try {
                java.time.ZoneId.of(String.valueOf(value));
            } catch (java.time.DateTimeException e) {
                throw new org.apache.kafka.common.config.ConfigException(name, value, "not a time zone id such as UTC or Europe/Paris");
            }
        }, () -> "a time zone id such as UTC or Europe/Paris");
    }
}
