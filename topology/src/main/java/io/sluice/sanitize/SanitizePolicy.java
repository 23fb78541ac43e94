package io.sluice.sanitize;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Properties;
import java.util.Set;

/**
 * What the sanitize stage does with what it finds: block, flag or ignore a likely injection (judged by the rules and
 * the trained model together, or by the rules alone), redact or pass personal data and secrets, and which name-like
 * entities (people, street addresses, organizations) to look for as well.
 *
 * @param injectionThreshold the rules' score at which the rules alone call a text an injection
 * @param injectionModel     whether the trained model joins the rules in the verdict
 * @param modelThreshold     the combined probability the action fires at; NaN for the one calibrated for the action
 * @param entities           the name-like entity types searched for and, under {@code pii.action=redact}, redacted
 */
public record SanitizePolicy(InjectionAction injectionAction, double injectionThreshold, PiiAction piiAction,
                             boolean injectionModel, double modelThreshold, Set<PiiType> entities) {
    public static final String INJECTION_ACTION = "injection.action";
    public static final String INJECTION_THRESHOLD = "injection.threshold";
    public static final String INJECTION_MODEL = "injection.model";
    public static final String INJECTION_MODEL_THRESHOLD = "injection.model.threshold";
    public static final String PII_ACTION = "pii.action";
    public static final String PII_ENTITIES = "pii.entities";
    /** Every key a policy reads, for the config's validation. */
    public static final Set<String> KEYS = Set.of(INJECTION_ACTION, INJECTION_THRESHOLD, INJECTION_MODEL,
            INJECTION_MODEL_THRESHOLD, PII_ACTION, PII_ENTITIES);
    /** The value of {@value #INJECTION_MODEL_THRESHOLD} that takes the threshold calibrated for the action. */
    public static final String CALIBRATED = "calibrated";

    public enum InjectionAction { BLOCK, FLAG, OFF }

    public enum PiiAction { REDACT, PASS }

    public SanitizePolicy {
        if (injectionAction == null || piiAction == null) {
            throw new IllegalArgumentException("sanitize policy: injection.action and pii.action are required");
        }
        if (!(injectionThreshold > 0)) {
            throw new IllegalArgumentException(INJECTION_THRESHOLD + " must be > 0, but was " + injectionThreshold);
        }
        if (!Double.isNaN(modelThreshold) && !(modelThreshold > 0 && modelThreshold < 1)) {
            throw new IllegalArgumentException(INJECTION_MODEL_THRESHOLD + " must be '" + CALIBRATED
                    + "' or a probability between 0 and 1, but was " + modelThreshold);
        }
        entities = entities.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(entities));
        if (!PiiType.ENTITIES.containsAll(entities)) {
            throw new IllegalArgumentException(PII_ENTITIES + " takes " + PiiType.ENTITIES + ", but was " + entities);
        }
    }

    /** Rules and model together at the calibrated threshold, the given action and PII handling, no entity search. */
    public SanitizePolicy(InjectionAction injectionAction, double injectionThreshold, PiiAction piiAction) {
        this(injectionAction, injectionThreshold, piiAction, true, Double.NaN, Set.of());
    }

    /** This policy, searching for {@code types} of name-like entities as well. */
    public SanitizePolicy withEntities(Set<PiiType> types) {
        return new SanitizePolicy(injectionAction, injectionThreshold, piiAction, injectionModel, modelThreshold, types);
    }

    /**
     * This policy without the injection check, for text that is not scored (the app's own system prompt): personal
     * data and secrets are still handled as this policy says.
     */
    public SanitizePolicy withoutInjectionCheck() {
        return injectionAction == InjectionAction.OFF ? this : new SanitizePolicy(InjectionAction.OFF,
                injectionThreshold, piiAction, injectionModel, modelThreshold, entities);
    }

    /** Flag likely injections (the pipeline decides), redact personal data and secrets. */
    public static SanitizePolicy defaults() {
        return new SanitizePolicy(InjectionAction.FLAG, InjectionDetector.DEFAULT_THRESHOLD, PiiAction.REDACT);
    }

    /** The combined probability at which this policy's action fires with {@code model}. */
    public double combinedThreshold(InjectionModel model) {
        return Double.isNaN(modelThreshold) ? model.threshold(injectionAction) : modelThreshold;
    }

    /**
     * Reads {@code injection.action=block|flag|off}, {@code injection.threshold=<number>},
     * {@code injection.model=on|off}, {@code injection.model.threshold=calibrated|<probability>},
     * {@code pii.action=redact|pass} and {@code pii.entities=none|all|<types, comma-separated>}; missing keys keep their
     * defaults, unknown values fail naming the key.
     */
    public static SanitizePolicy fromProperties(Properties properties) {
        SanitizePolicy d = defaults();
        InjectionAction injection = parse(properties, INJECTION_ACTION, InjectionAction.class, d.injectionAction());
        PiiAction pii = parse(properties, PII_ACTION, PiiAction.class, d.piiAction());
        double threshold = number(properties, INJECTION_THRESHOLD, d.injectionThreshold());
        boolean model = parse(properties, INJECTION_MODEL, Switch.class, Switch.ON) == Switch.ON;
        String raw = properties.getProperty(INJECTION_MODEL_THRESHOLD, CALIBRATED).strip();
        double modelThreshold = raw.equalsIgnoreCase(CALIBRATED) || raw.isEmpty() ? Double.NaN
                : number(properties, INJECTION_MODEL_THRESHOLD, Double.NaN);
        return new SanitizePolicy(injection, threshold, pii, model, modelThreshold, entities(properties));
    }

    private enum Switch { ON, OFF }

    private static Set<PiiType> entities(Properties properties) {
        String raw = properties.getProperty(PII_ENTITIES, "none").strip();
        if (raw.isEmpty() || raw.equalsIgnoreCase("none")) {
            return Set.of();
        }
        if (raw.equalsIgnoreCase("all")) {
            return PiiType.ENTITIES;
        }
        EnumSet<PiiType> types = EnumSet.noneOf(PiiType.class);
        for (String name : raw.split(",")) {
            PiiType type = Arrays.stream(PiiType.values()).filter(t -> t.name().equalsIgnoreCase(name.strip()))
                    .filter(PiiType.ENTITIES::contains).findFirst().orElseThrow(() -> new IllegalArgumentException(
                            PII_ENTITIES + " takes 'none', 'all' or some of " + PiiType.ENTITIES + ", but was '" + raw + "'"));
            types.add(type);
        }
        return types;
    }

    private static double number(Properties properties, String key, double fallback) {
        String raw = properties.getProperty(key);
        if (raw == null) {
            return fallback;
        }
        try {
            return Double.parseDouble(raw.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be a number, but was '" + raw + "'");
        }
    }

    private static <E extends Enum<E>> E parse(Properties properties, String key, Class<E> type, E fallback) {
        String raw = properties.getProperty(key);
        if (raw == null || raw.isBlank()) {
            return fallback;
        }
        try {
            return Enum.valueOf(type, raw.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(key + " must be one of "
                    + Arrays.stream(type.getEnumConstants()).map(c -> c.name().toLowerCase(Locale.ROOT)).toList()
                    + ", but was '" + raw + "'");
        }
    }
}
