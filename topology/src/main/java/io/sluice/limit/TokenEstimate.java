package io.sluice.limit;

import io.sluice.schemas.ChatMessage;
import io.sluice.schemas.PromptRequest;
import io.sluice.schemas.SluiceHeaders;

/**
 * The tokens a request is expected to use, counted against token limits and priced for budget reservations: the
 * input tokens the sanitize stage counted with the model's tokenizer (metadata {@value #INPUT_TOKENS}), or a
 * characters/4 estimate when absent, plus the output tokens it asks for (or a configured default).
 */
public final class TokenEstimate {

    private TokenEstimate() {}

    public static long input(PromptRequest request) {
        String counted = request.getMetadata().get(SluiceHeaders.INPUT_TOKENS);
        if (counted != null) {
            try {
                return Long.parseLong(counted);
            } catch (NumberFormatException ignored) {
                // fall through to the estimate
            }
        }
        long chars = 0;
        for (ChatMessage m : request.getMessages()) {
            chars += m.getContent().length();
        }
        return (chars + 3) / 4;
    }

    public static long output(PromptRequest request, int defaultOutputTokens) {
        Integer asked = request.getParams().getMaxTokens();
        return asked != null && asked > 0 ? asked : defaultOutputTokens;
    }

    public static long total(PromptRequest request, int defaultOutputTokens) {
        return input(request) + output(request, defaultOutputTokens);
    }
}
