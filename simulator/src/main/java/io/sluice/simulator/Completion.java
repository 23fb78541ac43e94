package io.sluice.simulator;

/**
 * The simulated model's answer and its usage figures, shared by both wire formats.
 *
 * @param text             visible answer text
 * @param promptTokens     all prompt tokens, cached ones included
 * @param completionTokens all output tokens, reasoning ones included
 * @param cachedTokens     prompt tokens served from the prompt cache
 * @param reasoningTokens  output tokens spent on hidden reasoning
 * @param truncated        true when the caller's max tokens cut the answer short
 */
record Completion(String text, int promptTokens, int completionTokens, int cachedTokens, int reasoningTokens,
                  boolean truncated) {
    private static final String[] FILLER = {"the", "sluice", "gate", "holds", "steady", "while", "water", "flows",
            "through", "each", "channel", "in", "measured", "turns"};

    static Completion of(PromptRequest request, SimulatorSettings settings) {
        int wanted = settings.outputTokens();
        boolean truncated = request.maxTokens() > 0 && request.maxTokens() < wanted;
        int output = truncated ? request.maxTokens() : wanted;
        int cached = (int) Math.floor(request.promptTokens() * settings.cachedFraction());
        int reasoning = (int) Math.floor(output * settings.reasoningFraction());
        String text = text(request.model(), request.promptTokens(), output - reasoning);
        return new Completion(text, request.promptTokens(), output, cached, reasoning, truncated);
    }

    /**
     * Deterministic text of about {@code tokens} tokens. It names the model and prompt size but never echoes the
     * prompt, so logs and topics filled from the simulator carry no caller data.
     */
    static String text(String model, int promptTokens, int tokens) {
        int chars = tokens * 4;
        StringBuilder text = new StringBuilder("Simulated answer from ")
                .append(model).append(" to a ").append(promptTokens).append("-token prompt.");
        for (int i = 0; text.length() < chars; i++) {
            text.append(' ').append(FILLER[i % FILLER.length]);
        }
        return text.substring(0, Math.min(chars, text.length())).strip();
    }
}
