package io.sluice.sanitize;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingRegistry;
import com.knuddels.jtokkit.api.EncodingType;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Counts prompt tokens the way the provider will bill them, closely enough to enforce token limits before a call.
 *
 * <p>OpenAI models use their real encodings: {@code o200k_base} for the gpt-4o, gpt-4.1, gpt-5 and o-series families,
 * {@code cl100k_base} for gpt-4 and gpt-3.5. Other vendors (claude-*, gemini-*, llama, ...) publish no offline
 * tokenizer, so they are counted with {@code cl100k_base} as an approximation: on English text it lands within about
 * 10-20% of Anthropic's own counts, which is close enough for a limit but not for an invoice.
 *
 * <p>A text is counted in segments, each starting at a space followed by a letter or digit: the encodings split text
 * into pieces before merging bytes, and no piece of {@code cl100k_base} or {@code o200k_base} crosses such a place, so
 * the segments' counts add up to the text's. Short segments (words, mostly) are counted once and remembered, which
 * takes most of the counting off a prompt of everyday words.
 *
 * <p>Thread-safe: encodings are immutable and built once per type (building one parses a large vocabulary); a
 * remembered segment is an immutable entry, so threads that replace one another's entries in the table lose only a
 * remembered count, never a wrong one.
 */
public final class TokenCounter {
    // shared by every instance: an encoding is immutable, and loading one takes a second or more
    private static final EncodingRegistry REGISTRY = Encodings.newLazyEncodingRegistry();
    private static final Map<EncodingType, Counting> ENCODINGS = new ConcurrentHashMap<>();
    /** Each model name seen, with its encoding's counting: read at every count, so not worked out again each time. */
    private static final Map<String, Counting> BY_MODEL = new ConcurrentHashMap<>();
    /** Model names remembered at most: past it (names made up by callers) they are forgotten and looked up anew. */
    private static final int MODELS_REMEMBERED = 1_000;
    /** Segments of at most this many characters are remembered with their counts. */
    private static final int REMEMBERED_LENGTH = 24;
    /** Slots of each encoding's table of remembered segments (a few MB at most). */
    private static final int REMEMBERED = 1 << 16;

    /** A remembered segment and its token count; immutable, so a table slot can be replaced by any thread. */
    private record Remembered(String segment, int tokens) {}

    /**
     * An encoding and the counts of the short segments it has counted, in a table with one slot per hash: a segment
     * is found without copying it out of the text, and one whose slot another took is counted again.
     */
    private record Counting(Encoding encoding, Remembered[] remembered) {
        Counting(Encoding encoding) {
            this(encoding, new Remembered[REMEMBERED]);
        }

        int segment(String text, int from, int to) {
            int length = to - from;
            if (length > REMEMBERED_LENGTH) {
                return encoding.countTokensOrdinary(text.substring(from, to));
            }
            int hash = 0;
            for (int i = from; i < to; i++) {
                hash = 31 * hash + text.charAt(i);
            }
            int slot = (hash ^ hash >>> 16) & (REMEMBERED - 1);
            Remembered known = remembered[slot];
            if (known != null && known.segment().length() == length
                    && known.segment().regionMatches(0, text, from, length)) {
                return known.tokens();
            }
            String segment = text.substring(from, to);
            int tokens = encoding.countTokensOrdinary(segment);
            remembered[slot] = new Remembered(segment, tokens);
            return tokens;
        }
    }

    /** Tokens in {@code text} for {@code model}. Special-token text such as {@code <|endoftext|>} counts as text. */
    public int count(String model, String text) {
        if (text == null || text.isEmpty()) {
            return 0;
        }
        Counting counting = counting(model);
        int tokens = 0;
        int start = 0;
        for (int i = 1; i < text.length() - 1; i++) {
            if (text.charAt(i) == ' ' && Character.isLetterOrDigit(text.charAt(i + 1))) {
                tokens += counting.segment(text, start, i);
                start = i;
            }
        }
        return tokens + counting.segment(text, start, text.length());
    }

    private static Counting counting(String model) {
        String key = model == null ? "" : model;
        Counting counting = BY_MODEL.get(key);
        if (counting == null) {
            counting = ENCODINGS.computeIfAbsent(encodingFor(model), type -> new Counting(REGISTRY.getEncoding(type)));
            if (BY_MODEL.size() >= MODELS_REMEMBERED) {
                BY_MODEL.clear();
            }
            BY_MODEL.put(key, counting);
        }
        return counting;
    }

    /** The encoding used for a model name; unknown and non-OpenAI models get the {@code cl100k_base} approximation. */
    public static EncodingType encodingFor(String model) {
        String name = model == null ? "" : model.strip().toLowerCase(Locale.ROOT);
        int slash = name.lastIndexOf('/');
        if (slash >= 0) {
            name = name.substring(slash + 1); // "openai/gpt-4o" as routers name it
        }
        if (name.startsWith("gpt-4o") || name.startsWith("gpt-4.1") || name.startsWith("gpt-4.5")
                || name.startsWith("gpt-5") || name.startsWith("chatgpt-4o") || name.startsWith("gpt-oss")
                || name.matches("o[1-9]([-.].*)?")) {
            return EncodingType.O200K_BASE;
        }
        return EncodingType.CL100K_BASE;
    }
}
