package io.sluice.app;

import io.sluice.config.Durations;
import java.time.Duration;
import java.util.Locale;
import picocli.CommandLine;

/** Reads durations as ISO-8601 ({@code PT1S}) or the short forms people type: {@code 1s}, {@code 250ms}, {@code 2m}. */
public final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
        String v = value.strip().toLowerCase(Locale.ROOT);
        try {
            return v.startsWith("p") ? Duration.parse(v.toUpperCase(Locale.ROOT)) : Durations.parse(v);
        } catch (RuntimeException e) {
            throw new CommandLine.TypeConversionException(
                    "'" + value + "' is not a duration; write e.g. 1s, 250ms, 2m or PT1S");
        }
    }
}
