package io.sluice.simulator;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A deterministic token estimate (about four characters a token, at least one per message). Real tokenizers differ
 * by model; callers of a simulator need stable, plausible numbers, not exact ones.
 */
final class Tokens {
    private Tokens() {
    }

    static int ofText(String text) {
        return (text.length() + 3) / 4;
    }

    /** Tokens of a message's content: a string, or an array of blocks whose "text" fields count. */
    static int ofContent(JsonNode content) {
        int tokens = 0;
        if (content != null && content.isTextual()) {
            tokens = ofText(content.asText());
        } else if (content != null && content.isArray()) {
            for (JsonNode block : content) {
                JsonNode text = block.get("text");
                tokens += text != null && text.isTextual() ? ofText(text.asText()) : 1;
            }
        }
        return Math.max(1, tokens);
    }
}
