package io.sluice.call;

import io.sluice.config.RouteTable;
import io.sluice.provider.PriceTable;
import io.sluice.provider.ProviderReply;
import io.sluice.schemas.PromptRequest;
import io.sluice.schemas.PromptResponse;
import io.sluice.schemas.ResponseStatus;
import io.sluice.schemas.TokenUsage;
import java.time.Instant;
import org.owasp.encoder.Encode;

/** Builds the PromptResponse of each way a request can be answered. */
final class Answers {
    private Answers() {}

    /** A provider's reply, priced with {@code prices} (the model that answered, else the one asked for). */
    static PromptResponse fromReply(PromptRequest request, RouteTable.Target target, boolean primary,
                                    ProviderReply reply, long latencyMs, int attempts, String variant, long now,
                                    PriceTable prices) {
        var price = prices.price(reply.model()).or(() -> prices.price(target.model()));
        long cost = price.map(p -> PriceTable.costMicros(p, reply.inputTokens(), reply.cachedInputTokens(),
                reply.outputTokens())).orElse(0L);
        return base(request, now)
                .setStatus(primary ? ResponseStatus.OK : ResponseStatus.FALLBACK)
                .setProvider(target.provider())
                .setModel(reply.model())
                .setContent(reply.content())
                .setContentHtml(Encode.forHtml(reply.content()))
                .setFinishReason(reply.finishReason())
                .setUsage(new TokenUsage(reply.inputTokens(), reply.outputTokens(), reply.cachedInputTokens(),
                        reply.reasoningTokens()))
                .setCostMicros(cost)
                .setPriceVersion(price.isPresent() ? prices.version() : null)
                .setProviderLatencyMs(latencyMs)
                .setAttempts(attempts)
                .setVariant(variant)
                .build();
    }

    /** The route's configured answer when no target could answer: costs nothing. */
    static PromptResponse degraded(PromptRequest request, String message, int attempts, long now) {
        return unbilled(request, attempts, now)
                .setStatus(ResponseStatus.DEGRADED)
                .setProvider("sluice")
                .setModel("degraded")
                .setContent(message)
                .setContentHtml(Encode.forHtml(message))
                .setFinishReason("degraded")
                .build();
    }

    /**
     * An earlier answer to the same prompt, re-addressed to this request. Nothing was billed for it, so usage and
     * cost are zero; provider and model say who wrote it.
     */
    static PromptResponse fromCache(PromptRequest request, PromptResponse cached, ResponseStatus status,
                                    int attempts, long now) {
        return unbilled(request, attempts, now)
                .setStatus(status)
                .setProvider(cached.getProvider())
                .setModel(cached.getModel())
                .setContent(cached.getContent())
                .setContentHtml(cached.getContentHtml())
                .setFinishReason(cached.getFinishReason())
                .build();
    }

    /** An answer no provider call produced: no tokens, no cost, no provider latency. */
    private static PromptResponse.Builder unbilled(PromptRequest request, int attempts, long now) {
        return base(request, now)
                .setUsage(new TokenUsage(0L, 0L, 0L, 0L))
                .setCostMicros(0)
                .setPriceVersion(null)
                .setProviderLatencyMs(0)
                .setAttempts(attempts);
    }

    private static PromptResponse.Builder base(PromptRequest request, long now) {
        return PromptResponse.newBuilder()
                .setRequestId(request.getRequestId())
                .setTenantId(request.getTenantId())
                .setUserId(request.getUserId())
                .setRoute(request.getRoute())
                .setEndToEndLatencyMs(Math.max(0, now - request.getCreatedAt().toEpochMilli()))
                .setCompletedAt(Instant.ofEpochMilli(now));
    }
}
