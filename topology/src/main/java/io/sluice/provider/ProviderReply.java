package io.sluice.provider;

/** A provider's successful answer, with the usage it reported. */
public record ProviderReply(
        String model,
        String content,
        String finishReason,
        long inputTokens,
        long outputTokens,
        long cachedInputTokens,
        long reasoningTokens) {}
