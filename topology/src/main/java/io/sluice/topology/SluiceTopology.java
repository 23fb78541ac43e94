package io.sluice.topology;

import io.sluice.call.CallOutcome;
import io.sluice.call.CallProcessor;
import io.sluice.call.CallSettings;
import io.sluice.config.SluiceConfig;
import io.sluice.config.SluiceConfigDef;
import io.sluice.limit.UserRateLimiter;
import io.sluice.provider.ProviderClients;
import io.sluice.registry.SchemaRegistryClient;
import io.sluice.sanitize.RequestValidator;
import io.sluice.sanitize.SanitizeProcessor;
import io.sluice.schemas.PromptRequest;
import io.sluice.schemas.internal.InFlightCall;
import io.sluice.serde.SpecificAvroSerde;
import java.util.Map;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Repartitioned;

/**
 * The one seam that builds Sluice's topology, used by the application and by every test:
 * <pre>
 * requests ─ sanitize ─┬─ rejected
 *                      └─ by-user ─ limit-user ─┬─ rejected
 *                                               └─ by-request ─ call-provider ─┬─ responses
 *                                                                              └─ dead-letter
 * </pre>
 * Keys: the limit stage runs on the partition that owns {@code tenantId/userId}, so each user's counters have
 * exactly one owner; the call stage is re-keyed by request id so slow calls spread evenly over all partitions.
 */
public final class SluiceTopology {
    private SluiceTopology() {}

    public static Topology build(SluiceConfig config, SchemaRegistryClient registry, ProviderClients providers) {
        SluiceTopics topics = SluiceTopics.from(config, registry);
        Serde<PromptRequest> requestSerde = topics.requests().valueSerde();
        StreamsBuilder builder = new StreamsBuilder();

        KStream<String, Verdict> screened = builder
                .stream(topics.requests().name(), topics.requests().consumed(TopologyNames.REQUESTS_SOURCE))
                .processValues(() -> new SanitizeProcessor(new RequestValidator(config.routes(),
                        config.integer(SluiceConfigDef.SANITIZE_MAX_MESSAGES),
                        config.integer(SluiceConfigDef.SANITIZE_MAX_CHARS))), Named.as(TopologyNames.SANITIZE));
        KStream<String, PromptRequest> clean = passOrReject(screened, SanitizeProcessor.STAGE, topics);

        KStream<String, Verdict> limited = clean
                .selectKey((key, request) -> userKey(request), Named.as("key-by-user"))
                .repartition(Repartitioned.<String, PromptRequest>as(TopologyNames.BY_USER)
                        .withKeySerde(Serdes.String()).withValueSerde(requestSerde))
                .process(UserRateLimiter.supplier(config.integer(SluiceConfigDef.LIMIT_USER_RPM)),
                        Named.as(TopologyNames.LIMIT_USER));
        KStream<String, PromptRequest> allowed = passOrReject(limited, UserRateLimiter.STAGE, topics);

        Serde<InFlightCall> inFlightSerde = SpecificAvroSerde.forValues(registry, InFlightCall.class);
        KStream<String, CallOutcome> called = allowed
                .selectKey((key, request) -> request.getRequestId(), Named.as("key-by-request"))
                .repartition(Repartitioned.<String, PromptRequest>as(TopologyNames.BY_REQUEST)
                        .withKeySerde(Serdes.String()).withValueSerde(requestSerde))
                .process(CallProcessor.supplier(providers, config.routes(), CallSettings.from(config), inFlightSerde),
                        Named.as(TopologyNames.CALL));
        Map<String, KStream<String, CallOutcome>> outcomes = called.split(Named.as("call-outcome-"))
                .branch((id, outcome) -> outcome instanceof CallOutcome.Answered, Branched.as("answered"))
                .defaultBranch(Branched.as("dead-lettered"));
        outcomes.get("call-outcome-answered")
                .mapValues(outcome -> ((CallOutcome.Answered) outcome).response(), Named.as("call-response"))
                .to(topics.responses().name(), topics.responses().produced(TopologyNames.RESPONSES_SINK));
        outcomes.get("call-outcome-dead-lettered")
                .mapValues(outcome -> ((CallOutcome.DeadLettered) outcome).request(), Named.as("call-dead-letter"))
                .to(topics.deadLetter().name(), topics.deadLetter().produced(TopologyNames.DEAD_LETTER_SINK));

        return builder.build(StreamsProperties.from(config));
    }

    /** The partition key that owns a user's limits: tenant and user, as neither is unique alone. */
    public static String userKey(PromptRequest request) {
        return request.getTenantId() + "/" + request.getUserId();
    }

    /** Sends a stage's refusals to the rejected topic keyed by request id, and returns what passed. */
    private static KStream<String, PromptRequest> passOrReject(KStream<String, Verdict> verdicts, String stage,
                                                               SluiceTopics topics) {
        Map<String, KStream<String, Verdict>> branches = verdicts.split(Named.as(stage + "-verdict-"))
                .branch((key, verdict) -> verdict instanceof Verdict.Pass, Branched.as("pass"))
                .defaultBranch(Branched.as("refuse"));
        branches.get(stage + "-verdict-refuse")
                .map((key, verdict) -> {
                    var rejection = ((Verdict.Refuse) verdict).rejection();
                    return org.apache.kafka.streams.KeyValue.pair(rejection.getRequestId(), rejection);
                }, Named.as(stage + "-rejection"))
                .to(topics.rejected().name(), topics.rejected().produced(TopologyNames.rejectedSink(stage)));
        return branches.get(stage + "-verdict-pass")
                .mapValues(verdict -> ((Verdict.Pass) verdict).request(), Named.as(stage + "-passed"));
    }
}
