package io.sluice.topics;

/**
 * Names of every node, store and internal topic of the topology. They are part of the deployed state: renaming a
 * store or repartition topic orphans its changelog, so tests pin them through {@code topology.describe()}. Kept
 * below both the stages (which name their stores with them) and the wiring in {@code io.sluice.topology}.
 */
public final class TopologyNames {
    public static final String REQUESTS_SOURCE = "requests-source";
    public static final String SANITIZE = "sanitize";
    public static final String BY_TENANT = "by-tenant";
    /** Refuses a new request whose deadline has passed, in the tenant's task before the limits. */
    public static final String DEADLINE = "deadline";
    public static final String LIMIT_USER = "limit-user";
    public static final String LIMIT_TENANT = "limit-tenant";
    public static final String BUDGET = "budget";
    /** The budget stage behind the call: settles each finished request on the budget's stores. */
    public static final String BUDGET_SETTLE = "budget-settle";
    public static final String BUDGET_EVENTS_SINK = "budget-events-sink";
    public static final String CALL = "call-provider";
    /** The output guard: checks each answer before it reaches the responses topic. */
    public static final String OUTPUT_GUARD = "output-guard";
    public static final String IN_FLIGHT = "call-in-flight";
    /** Window store of answered request ids, kept for the dedup retention. */
    public static final String CALL_ANSWERED = "call-answered";
    /** Window store of answers by route and prompt, for routes with a response cache. */
    public static final String RESPONSE_CACHE = "call-response-cache";
    public static final String RESPONSES_SINK = "responses-sink";
    public static final String DEAD_LETTER_SINK = "dead-letter-sink";

    private TopologyNames() {}

    /** Source of retry tier {@code tier}'s topic. */
    public static String retrySource(int tier) {
        return "retry-" + tier + "-source";
    }

    /** The processor holding retry tier {@code tier}'s requests until due. */
    public static String retryHold(int tier) {
        return "retry-hold-" + tier;
    }

    /** Sink writing requests to retry tier {@code tier}'s topic. */
    public static String retrySink(int tier) {
        return "retry-" + tier + "-sink";
    }

    /** Sink for the rejections of one gate stage. */
    public static String rejectedSink(String stage) {
        return stage + "-rejected-sink";
    }
}
