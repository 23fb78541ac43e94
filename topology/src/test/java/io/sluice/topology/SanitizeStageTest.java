package io.sluice.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.config.SluiceConfigDef;
import io.sluice.schemas.ChatMessage;
import io.sluice.schemas.PromptRequest;
import io.sluice.schemas.RejectReason;
import io.sluice.schemas.RejectedRequest;
import io.sluice.testkit.PromptRequests;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The sanitize stage's validation rules, each through the production topology. */
class SanitizeStageTest {
    private static final Instant T = TopologyFixture.START;

    @RegisterExtension
    final TopologyFixtures topologies = new TopologyFixtures();
    private TopologyFixture fixture;

    @BeforeEach
    void start() {
        fixture = topologies.start(Map.of(SluiceConfigDef.SANITIZE_MAX_MESSAGES, 4,
                SluiceConfigDef.SANITIZE_MAX_CHARS, 2_000));
    }


    private static List<ChatMessage> user(String content) {
        return List.of(new ChatMessage("user", content));
    }

    static Stream<Arguments> invalidRequests() {
        return Stream.of(
                Arguments.of("a request id with spaces", RejectReason.INVALID_REQUEST, "requestId",
                        (UnaryOperator<PromptRequest.Builder>) b -> b.setRequestId("has spaces")),
                Arguments.of("a request id of 129 characters", RejectReason.INVALID_REQUEST, "requestId",
                        (UnaryOperator<PromptRequest.Builder>) b -> b.setRequestId("x".repeat(129))),
                Arguments.of("no tenant", RejectReason.INVALID_REQUEST, "tenantId",
                        (UnaryOperator<PromptRequest.Builder>) b -> b.setTenantId(" ")),
                Arguments.of("no user", RejectReason.INVALID_REQUEST, "userId",
                        (UnaryOperator<PromptRequest.Builder>) b -> b.setUserId("")),
                Arguments.of("a tenant id with the key separator", RejectReason.INVALID_REQUEST, "tenantId must be",
                        (UnaryOperator<PromptRequest.Builder>) b -> b.setTenantId("acme|user|x")),
                Arguments.of("a user id with a newline", RejectReason.INVALID_REQUEST, "userId must be",
                        (UnaryOperator<PromptRequest.Builder>) b -> b.setUserId("bob\nadmin")),
                Arguments.of("no app", RejectReason.INVALID_REQUEST, "appId",
                        (UnaryOperator<PromptRequest.Builder>) b -> b.setAppId("")),
                Arguments.of("an unknown route", RejectReason.UNKNOWN_ROUTE, "route 'gpt-9'",
                        (UnaryOperator<PromptRequest.Builder>) b -> b.setRoute("gpt-9")),
                Arguments.of("no messages", RejectReason.EMPTY_MESSAGES, "no messages",
                        (UnaryOperator<PromptRequest.Builder>) b -> b.setMessages(List.of())),
                Arguments.of("more messages than allowed", RejectReason.TOO_LARGE, "5 messages",
                        (UnaryOperator<PromptRequest.Builder>) b -> b.setMessages(
                                Collections.nCopies(5, new ChatMessage("user", "hi")))),
                Arguments.of("an unknown role", RejectReason.INVALID_REQUEST, "role 'wizard'",
                        (UnaryOperator<PromptRequest.Builder>) b -> b.setMessages(
                                List.of(new ChatMessage("wizard", "hi")))),
                Arguments.of("blank content", RejectReason.EMPTY_MESSAGES, "message 0 has no content",
                        (UnaryOperator<PromptRequest.Builder>) b -> b.setMessages(user(" \n\t "))),
                Arguments.of("more characters than allowed", RejectReason.TOO_LARGE, "2001 characters",
                        (UnaryOperator<PromptRequest.Builder>) b -> b.setMessages(user("y".repeat(2_001)))));
    }

    @ParameterizedTest(name = "refuses {0}")
    @MethodSource("invalidRequests")
    void refusesInvalidRequest(String what, RejectReason reason, String detail,
                               UnaryOperator<PromptRequest.Builder> change) {
        PromptRequest request = change.apply(PromptRequests.valid("acme", "alice", T)).build();

        fixture.send(request);

        RejectedRequest rejection = fixture.rejected.readValue();
        assertThat(rejection.getReason()).isEqualTo(reason);
        assertThat(rejection.getStage()).isEqualTo("sanitize");
        assertThat(rejection.getDetail()).contains(detail);
        assertThat(fixture.openai.calls).hasValue(0);
    }

    @Test
    @DisplayName("skips a record that cannot be read and goes on with the next (the dead letter is checked on a real broker)")
    void poisonRecordDoesNotStopTheStream() {
        TestInputTopic<String, byte[]> raw = fixture.driver.createInputTopic(fixture.topics.requests().name(),
                new StringSerializer(), new ByteArraySerializer());

        raw.pipeInput("poison", new byte[] {0, 0, 0, 0, 42, 1, 2});
        raw.pipeInput("garbage", "not avro".getBytes());
        fixture.send(PromptRequests.valid("acme", "alice", T).build());

        assertThat(fixture.responses.readValuesToList()).hasSize(1);
    }
}
