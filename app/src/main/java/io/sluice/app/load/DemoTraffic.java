package io.sluice.app.load;

import io.sluice.schemas.ChatMessage;
import io.sluice.schemas.GenerationParams;
import io.sluice.schemas.PromptRequest;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

/**
 * Synthetic prompt traffic: mostly valid requests spread over users and tenants, with about 4% malformed (blank
 * content), 2% on an unknown route and 2% poison bytes that are not Avro at all. Users and request ids are unique
 * to a run, so reruns against the same broker do not share rate-limit windows.
 */
final class DemoTraffic {
    private static final List<String> PROMPTS = List.of(
            "Summarize the attached meeting notes in three bullet points.",
            "Translate 'the shipment leaves on Tuesday' into German and French.",
            "Write a haiku about stream processing.",
            "Explain the difference between at-least-once and exactly-once delivery.",
            "Draft a polite reply declining a meeting invitation for Friday.",
            "List five risks of running a single Kafka broker in production.");

    /** One request to send; {@code request} is null for a poison record, whose bytes are {@code poison}. */
    record Event(String requestId, long createdAtMs, PromptRequest request, byte[] poison) {}

    private final Random random;
    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private final int users;
    private final int tenants;

    DemoTraffic(long seed, int users, int tenants) {
        this.random = new Random(seed);
        this.users = users;
        this.tenants = tenants;
    }

    Event next(int sequence) {
        String requestId = "demo-" + run + "-" + sequence;
        long now = System.currentTimeMillis();
        double roll = random.nextDouble();
        if (roll < 0.02) {
            return new Event(requestId, now, null,
                    ("not avro: " + requestId).getBytes(StandardCharsets.UTF_8));
        }
        int user = random.nextInt(users);
        String content = roll < 0.06 ? "   " : PROMPTS.get(random.nextInt(PROMPTS.size()));
        String route = roll >= 0.06 && roll < 0.08 ? "no-such-route" : (random.nextInt(4) == 0 ? "claude" : "default");
        PromptRequest request = PromptRequest.newBuilder()
                .setRequestId(requestId)
                .setTenantId("tenant-" + (user % tenants))
                .setUserId("user-" + run + "-" + user)
                .setAppId("sluice-demo")
                .setCreatedAt(Instant.ofEpochMilli(now))
                .setRoute(route)
                .setMessages(List.of(new ChatMessage("system", "You are a helpful assistant."),
                        new ChatMessage("user", content)))
                .setParams(new GenerationParams(128, 0.3, null, List.of()))
                .setMetadata(Map.of("demo.run", run))
                .setDeadline(null)
                .build();
        return new Event(requestId, now, request, null);
    }
}
