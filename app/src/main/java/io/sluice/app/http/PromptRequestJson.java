package io.sluice.app.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.schemas.ChatMessage;
import io.sluice.schemas.GenerationParams;
import io.sluice.schemas.PromptRequest;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Sluice's own {@link PromptRequest} written as JSON, the other body {@code POST /v1/requests} takes. */
final class PromptRequestJson {
    private PromptRequestJson() {}

    /**
     * A {@code PromptRequest} written as JSON (its Avro field names, {@code deadline} as an ISO-8601 instant or epoch
     * milliseconds), for {@code POST /v1/requests}; the tenant is the caller's, and must match when the body names it.
     */
    static PromptRequest request(JsonNode body, String tenant, String requestId, String appId, long nowMs) {
        String named = JsonBody.text(body, "tenantId", false);
        if (named != null && !named.equals(tenant)) {
            throw new JsonBody.BadRequest("tenantId", "this key is for tenant '" + tenant + "', but the body names '" + named
                    + "'");
        }
        JsonNode params = body.path("params");
        List<ChatMessage> turns = new ArrayList<>();
        JsonNode messages = body.path("messages");
        if (!messages.isArray()) {
            throw new JsonBody.BadRequest("messages", "messages must be an array of {\"role\", \"content\"}");
        }
        for (int i = 0; i < messages.size(); i++) {
            turns.add(new ChatMessage(messages.get(i).path("role").asText(""),
                    JsonBody.content(messages.get(i).path("content"), i)));
        }
        Map<String, String> metadata = new HashMap<>();
        body.path("metadata").properties().forEach(e -> metadata.put(e.getKey(), e.getValue().asText()));
        JsonNode deadline = body.path("deadline");
        Instant deadlineAt;
        try {
            deadlineAt = deadline.isMissingNode() || deadline.isNull() ? null
                    : deadline.isNumber() ? Instant.ofEpochMilli(deadline.asLong()) : Instant.parse(deadline.asText());
        } catch (DateTimeParseException e) {
            throw new JsonBody.BadRequest("deadline", "deadline must be an ISO-8601 instant or epoch milliseconds");
        }
        return PromptRequest.newBuilder()
                .setRequestId(requestId).setTenantId(tenant)
                .setUserId(body.hasNonNull("userId") ? JsonBody.text(body, "userId", true) : JsonBody.DEFAULT_USER)
                .setAppId(body.hasNonNull("appId") ? JsonBody.text(body, "appId", true) : appId)
                .setCreatedAt(Instant.ofEpochMilli(nowMs)).setRoute(JsonBody.text(body, "route", true)).setMessages(turns)
                .setParams(GenerationParams.newBuilder().setMaxTokens(JsonBody.integer(params, "maxTokens"))
                        .setTemperature(JsonBody.number(params, "temperature")).setTopP(JsonBody.number(params, "topP"))
                        .setStop(JsonBody.stop(params.path("stop"))).build())
                .setMetadata(metadata).setDeadline(deadlineAt)
                .build();
    }
}
