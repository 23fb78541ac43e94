package io.sluice.testkit;

import io.sluice.schemas.ChatMessage;
import io.sluice.schemas.GenerationParams;
import io.sluice.schemas.PromptRequest;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Builders of valid prompt requests for tests; change what a test is about with the returned builder. */
public final class PromptRequests {
    private PromptRequests() {}

    /** A valid request from {@code tenant/user} on the {@code default} route, created at {@code createdAt}. */
    public static PromptRequest.Builder valid(String tenant, String user, Instant createdAt) {
        return PromptRequest.newBuilder()
                .setRequestId("req-" + UUID.randomUUID())
                .setTenantId(tenant)
                .setUserId(user)
                .setAppId("test-app")
                .setCreatedAt(createdAt)
                .setRoute("default")
                .setMessages(List.of(
                        new ChatMessage("system", "You are a concise assistant."),
                        new ChatMessage("user", "Summarize the plot of Hamlet in two sentences.")))
                .setParams(new GenerationParams(64, 0.2, null, List.of()))
                .setMetadata(Map.of("test", "true"))
                .setDeadline(null);
    }

    public static PromptRequest valid(String tenant, String user) {
        return valid(tenant, user, Instant.now()).build();
    }
}
