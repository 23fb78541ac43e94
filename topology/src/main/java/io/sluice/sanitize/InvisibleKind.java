package io.sluice.sanitize;

/**
 * The classes of characters {@link TextNormalizer} removes. They carry no meaning for a model but can hide text from a
 * human reviewer, so their counts are also an injection signal.
 */
enum InvisibleKind {
    /** C0/C1 controls other than newline and tab (a lone carriage return becomes a newline instead). */
    CONTROL,
    /** U+200B..U+200D, U+2060, U+FEFF. */
    ZERO_WIDTH,
    /** Bidirectional embeddings, overrides and isolates: U+202A..U+202E, U+2066..U+2069. */
    BIDI,
    /** Unicode tag characters U+E0000..U+E007F: invisible ASCII look-alikes used to smuggle instructions. */
    TAG,
    /** Unpaired UTF-16 surrogates: not text at all, and they cannot be encoded as UTF-8 on the wire. */
    LONE_SURROGATE
}
