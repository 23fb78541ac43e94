package io.sluice.guard;

import io.sluice.sanitize.PiiType;
import java.util.List;
import java.util.Set;

/**
 * What a route's output guard does with the model's answer: personal data and secrets in it are left, redacted, or
 * make the answer blocked; a phrase of the deny-list, or an answer that reads as a prompt injection, blocks it.
 *
 * @param entities name-like entity types searched for as well as the pattern types, under the same {@code pii} action
 * @param deny     phrases (case-insensitive, whole words) that block an answer holding one
 */
public record OutputPolicy(PiiAction pii, Set<PiiType> entities, List<String> deny, boolean injection) {
    public static final String PII = "pii";
    public static final String ENTITIES = "entities";
    public static final String DENY = "deny";
    public static final String INJECTION = "injection";
    /** Every setting of a policy, as written after {@code output.guard.} or {@code output.guard.route.<route>.}. */
    public static final Set<String> KEYS = Set.of(PII, ENTITIES, DENY, INJECTION);

    public enum PiiAction { OFF, REDACT, BLOCK }

    public OutputPolicy {
        entities = Set.copyOf(entities);
        deny = deny.stream().map(String::strip).filter(d -> !d.isEmpty()).toList();
    }

    /** Checks nothing: the answer goes out as the provider wrote it, with no outputCheck. */
    public boolean off() {
        return pii == PiiAction.OFF && deny.isEmpty() && !injection;
    }
}
