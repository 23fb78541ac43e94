package io.sluice.embedded.registry;

import java.util.Optional;

/** A version as a URL gives it: a number from 1, or {@code latest} (also {@code -1}), the latest not deleted. */
final class Versions {
    static final int LATEST = -1;

    private Versions() {}

    /** The number {@code version} names, {@link #LATEST} for latest; 42202 when it is neither. */
    static int number(String version) {
        if (version.equals("latest")) {
            return LATEST;
        }
        int number;
        try {
            number = Integer.parseInt(version);
        } catch (NumberFormatException e) {
            throw RegistryError.invalidVersion(version);
        }
        if (number < 1 && number != LATEST) {
            throw RegistryError.invalidVersion(version);
        }
        return number;
    }

    /** The version {@code version} of {@code subject} names, if {@code lookup} accepts it. */
    static Optional<SchemaRecord> find(SchemaStore store, String subject, String version, SchemaStore.Lookup lookup) {
        int number = number(version);
        return number == LATEST ? store.latest(subject) : store.version(subject, number, lookup);
    }
}
