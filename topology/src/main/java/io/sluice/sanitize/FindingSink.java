package io.sluice.sanitize;

/** Where the individual finders report candidate spans; {@link PiiRedactor} resolves overlaps afterwards. */
@FunctionalInterface
interface FindingSink {
    void add(PiiType type, int start, int end);
}
