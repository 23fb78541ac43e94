package io.sluice.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.app.load.OutcomeTracker;
import io.sluice.app.runtime.SluiceRuntime;
import io.sluice.config.SluiceConfig;
import io.sluice.schemas.AuditRecord;
import io.sluice.schemas.PromptResponse;
import io.sluice.simulator.SimulatorSettings;
import io.sluice.testkit.PromptRequests;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The output guard on a real broker: a blocked answer is an outcome of its own, billed, and audited as such. */
class OutputGuardIT {
    @RegisterExtension
    static final TestCluster cluster = new TestCluster();

    @Test
    @DisplayName("answers holding a deny-listed phrase come back BLOCKED and empty, and the audit says why")
    void blocksDeniedAnswers() {
        // Given a deny-list phrase every simulated answer holds
        SluiceConfig config = cluster.config("guard", Map.of("output.guard.deny", "simulated answer"));
        try (SluiceRuntime runtime = SluiceRuntime.start(config, SimulatorSettings.defaults());
             OutcomeTracker tracker = new OutcomeTracker(runtime.adminConfig(), runtime.topics());
             Traffic traffic = new Traffic(runtime, tracker)) {
            // When three users each send a request
            for (int user = 0; user < 3; user++) {
                traffic.send(PromptRequests.valid("acme", "user-" + user, Instant.now()).build());
            }
            traffic.awaitOutcomes(Duration.ofSeconds(90));

            // Then each gets one answer, BLOCKED, with nothing of the provider's text in it
            assertThat(tracker.responsesByStatus()).isEqualTo(Map.of("BLOCKED", 3));
            List<PromptResponse> responses = EndToEndIT.readAll(runtime, runtime.topics().responses().name(), 3)
                    .stream().map(r -> runtime.topics().responses().valueSerde().deserializer()
                            .deserialize(r.topic(), r.value())).toList();
            assertThat(responses).allSatisfy(r -> {
                assertThat(r.getContent()).isEmpty();
                assertThat(r.getFinishReason()).isEqualTo("content_filter");
                assertThat(r.getOutputCheck()).isEqualTo("BLOCKED");
                assertThat(r.getOutputFindings()).isEqualTo("deny-list");
                assertThat(r.getUsage().getOutputTokens()).isPositive(); // the provider was paid all the same
            });
            // and the audit trail names what the guard did
            List<ConsumerRecord<String, byte[]>> audit = EndToEndIT.readAll(runtime, runtime.topics().audit().name(), 3);
            assertThat(audit).map(r -> runtime.topics().audit().valueSerde().deserializer().deserialize(r.topic(), r.value()))
                    .hasSize(3).allSatisfy(a -> {
                        assertThat(a.getOutcome()).isEqualTo("BLOCKED");
                        assertThat(a.getReason()).isEqualTo("OUTPUT_BLOCKED: deny-list");
                    })
                    .extracting(AuditRecord::getAction).containsOnly("REQUEST_ANSWERED");
        }
    }
}
