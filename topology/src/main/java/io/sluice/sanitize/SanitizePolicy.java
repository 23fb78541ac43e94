package io.sluice.sanitize;

import java.util.Locale;
import java.util.Properties;

/**
 * What the sanitize stage does with what it finds: block, flag or ignore a likely injection, and redact or pass
 * personal data and secrets.
 */
public record SanitizePolicy(InjectionAction injectionAction, double injectionThreshold, PiiAction piiAction) {
    public static final String INJECTION_ACTION = "injection.action";
    public static final String INJECTION_THRESHOLD = "injection.threshold";
    public static final String PII_ACTION = "pii.action";

    public enum InjectionAction { BLOCK, FLAG, OFF }

    public enum PiiAction { REDACT, PASS }

    public SanitizePolicy {
        if (injectionAction == null || piiAction == null) {
            throw new IllegalArgumentException("sanitize policy: injection.action and pii.action are required");
        }
        if (!(injectionThreshold > 0)) {
            throw new IllegalArgumentException(INJECTION_THRESHOLD + " must be > 0, but was " + injectionThreshold);
        }
    }

    /** Flag likely injections (the pipeline decides), redact personal data and secrets. */
    public static SanitizePolicy defaults() {
        return new SanitizePolicy(InjectionAction.FLAG, InjectionDetector.DEFAULT_THRESHOLD, PiiAction.REDACT);
    }

    /**
     * Reads {@code injection.action=block|flag|off}, {@code injection.threshold=<number>} and
     * {@code pii.action=redact|pass}; missing keys keep their defaults, unknown values fail naming the key.
     */
    public static SanitizePolicy fromProperties(Properties properties) {
        SanitizePolicy d = defaults();
        InjectionAction injection = parse(properties, INJECTION_ACTION, InjectionAction.class, d.injectionAction());
        PiiAction pii = parse(properties, PII_ACTION, PiiAction.class, d.piiAction());
        double threshold = d.injectionThreshold();
        String raw = properties.getProperty(INJECTION_THRESHOLD);
        if (raw != null) {
            try {
                threshold = Double.parseDouble(raw.strip());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(INJECTION_THRESHOLD + " must be a number, but was '" + raw + "'");
            }
        }
        return new SanitizePolicy(injection, threshold, pii);
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
                    + java.util.Arrays.stream(type.getEnumConstants()).map(c -> c.name().toLowerCase(Locale.ROOT)).toList()
                    + ", but was '" + raw + "'");
        }
    }
}
