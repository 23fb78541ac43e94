package io.sluice.sanitize;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

/** Text after {@link TextNormalizer}, with how many characters of each invisible kind were taken out. */
record NormalizedText(String text, Map<InvisibleKind, Integer> removed) {
    public NormalizedText {
        EnumMap<InvisibleKind, Integer> copy = new EnumMap<>(InvisibleKind.class);
        removed.forEach((kind, count) -> {
            if (count > 0) {
                copy.put(kind, count);
            }
        });
        removed = Collections.unmodifiableMap(copy);
    }

    public int removed(InvisibleKind kind) {
        return removed.getOrDefault(kind, 0);
    }
}
