package io.sluice.app.runtime;

import io.sluice.config.SluiceConfig;
import io.sluice.config.SluiceConfigDef;
import io.sluice.registry.SchemaRegistryException;
import io.sluice.schemas.PromptRequest;
import io.sluice.topics.SluiceTopics;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.common.GroupState;

/**
 * A Sluice that another process runs ({@code ./sluice run}, on the embedded default or a real cluster), found from
 * the same configuration: its addresses, its topics, and checks that it answers, each failing with what to do
 * instead of a tool hanging on a broker that is not there.
 */
public record RunningSluice(SluiceConfig config, Map<String, Object> client, SluiceTopics topics) {
    private static final int ANSWER_WITHIN_MS = 5_000;

    /** Finds the Sluice {@code config} describes and checks its cluster answers, its topics exist and it runs. */
    public static RunningSluice find(SluiceConfig config) {
        SluiceConfig connected = addresses(config);
        Map<String, Object> client = SluiceRuntime.clientConfig(connected);
        SluiceTopics topics = SluiceTopics.from(connected, SluiceRuntime.registryClient(connected));
        RunningSluice sluice = new RunningSluice(connected, client, topics);
        sluice.check(true);
        return sluice;
    }

    /**
     * The cluster and topics {@code config} describes, checked to answer, whether or not Sluice itself runs now: for
     * tools that read and write its topics ({@code sluice dlq}), which are as useful while it is stopped.
     */
    public static RunningSluice cluster(SluiceConfig config) {
        SluiceConfig connected = addresses(config);
        RunningSluice sluice = new RunningSluice(connected, SluiceRuntime.clientConfig(connected),
                SluiceTopics.from(connected, SluiceRuntime.registryClient(connected)));
        sluice.check(false);
        return sluice;
    }

    /** {@code config} with the embedded default's addresses where it names none: what {@code ./sluice run} starts. */
    public static SluiceConfig addresses(SluiceConfig config) {
        Map<String, Object> addresses = new HashMap<>();
        if (config.embeddedKafka()) {
            addresses.put(SluiceConfigDef.KAFKA_BOOTSTRAP_SERVERS,
                    "localhost:" + embeddedPort(config, SluiceConfigDef.EMBEDDED_KAFKA_PORT));
        }
        if (config.embeddedRegistry()) {
            addresses.put(SluiceConfigDef.SCHEMA_REGISTRY_URL,
                    "http://localhost:" + embeddedPort(config, SluiceConfigDef.EMBEDDED_REGISTRY_PORT));
        }
        return addresses.isEmpty() ? config : config.with(addresses);
    }

    private static int embeddedPort(SluiceConfig config, String key) {
        int port = config.integer(key);
        if (port == 0) {
            throw new IllegalStateException(key + " is 0 (a free port), so the address of the running Sluice is"
                    + " unknown; set " + SluiceConfigDef.KAFKA_BOOTSTRAP_SERVERS + " and "
                    + SluiceConfigDef.SCHEMA_REGISTRY_URL + " to what ./sluice run printed at start");
        }
        return port;
    }

    /** The Avro bytes of {@code request} for the requests topic; fails saying what to do when the registry is away. */
    public byte[] requestBytes(PromptRequest request) {
        try {
            return topics.requests().valueSerde().serializer().serialize(topics.requests().name(), request);
        } catch (SchemaRegistryException e) {
            throw notRunning("the schema registry at " + config.string(SluiceConfigDef.SCHEMA_REGISTRY_URL)
                    + " did not take the request schema (" + e.getMessage() + ")");
        }
    }

    public String bootstrapServers() {
        return config.string(SluiceConfigDef.KAFKA_BOOTSTRAP_SERVERS);
    }

    private void check(boolean applicationRunning) {
        Map<String, Object> quick = new HashMap<>(client);
        quick.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, ANSWER_WITHIN_MS);
        quick.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, ANSWER_WITHIN_MS);
        try (Admin admin = Admin.create(quick)) {
            Set<String> existing;
            try {
                admin.describeCluster().clusterId().get(ANSWER_WITHIN_MS, TimeUnit.MILLISECONDS);
                existing = admin.listTopics().names().get(ANSWER_WITHIN_MS, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while looking for Sluice at " + bootstrapServers(), e);
            } catch (Exception e) {
                throw notRunning("no Kafka broker answered at " + bootstrapServers() + " within "
                        + ANSWER_WITHIN_MS / 1000 + " s");
            }
            List<String> missing = List.of(topics.requests().name(), topics.responses().name(),
                    topics.rejected().name(), topics.deadLetter().name()).stream()
                    .filter(t -> !existing.contains(t)).toList();
            if (!missing.isEmpty()) {
                throw notRunning("the broker at " + bootstrapServers() + " has no topics " + missing
                        + " (topics.prefix=" + config.string(SluiceConfigDef.TOPICS_PREFIX) + ")");
            }
            if (!applicationRunning) {
                return;
            }
            String application = config.string(SluiceConfigDef.APPLICATION_ID);
            groupState(admin, application).ifPresent(state -> {
                if (state == GroupState.EMPTY || state == GroupState.DEAD) {
                    throw notRunning("no instance of application '" + application + "' is running on "
                            + bootstrapServers() + " (its group is " + state + ")");
                }
            });
        }
    }

    /**
     * The state of the application's group, DEAD when there is none; empty when the cluster does not say (no
     * permission to list groups, say), in which case the requests are sent and their outcomes awaited all the same.
     */
    private static Optional<GroupState> groupState(Admin admin, String application) {
        List<GroupListing> groups;
        try {
            groups = List.copyOf(admin.listGroups().all().get(ANSWER_WITHIN_MS, TimeUnit.MILLISECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        } catch (Exception e) {
            return Optional.empty();
        }
        Optional<GroupListing> group = groups.stream().filter(g -> g.groupId().equals(application)).findFirst();
        return group.isEmpty() ? Optional.of(GroupState.DEAD) : group.get().groupState();
    }

    private static IllegalStateException notRunning(String what) {
        return new IllegalStateException(what + ". Start Sluice first with ./sluice run (with the same --config or"
                + " SLUICE_* settings), wait for 'Sluice is running.', then run this again.");
    }
}
