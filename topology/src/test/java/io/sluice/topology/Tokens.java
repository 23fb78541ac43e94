package io.sluice.topology;

import io.sluice.sanitize.TokenCounter;
import io.sluice.schemas.ChatMessage;
import io.sluice.schemas.PromptRequest;

/** Input tokens of a request as the sanitize stage counts them (the default route's model, gpt-4o-mini). */
final class Tokens {
    private static final TokenCounter COUNTER = new TokenCounter();

    private Tokens() {}

    static long counted(PromptRequest request) {
        long total = 0;
        for (ChatMessage m : request.getMessages()) {
            total += COUNTER.count("gpt-4o-mini", m.getContent());
        }
        return total;
    }
}
