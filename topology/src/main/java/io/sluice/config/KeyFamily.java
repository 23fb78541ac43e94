package io.sluice.config;

/**
 * Keys made of {@code prefix} and a name the user chooses (a route, a tier, a Kafka client setting): {@code pattern}
 * shows the form, {@code documentation} what they do and which stage reads them.
 */
public record KeyFamily(String prefix, String pattern, String documentation) {}
