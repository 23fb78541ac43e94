package io.sluice.accounting;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;

/**
 * The periods usage is counted in, and the store keys of their rows. Hours, days and months are the tenant's
 * calendar (its time zone); minutes of provider rows are UTC. Keys read {@code tenant|<tenant>|<period>|<start>} and
 * {@code user|<tenant>|<user>|<period>|<start>} with start {@code 2026-12-01T14} (hour), {@code 2026-12-01} (day),
 * {@code 2026-12} (month) or {@code all}.
 */
public enum UsagePeriods {
    HOUR("hour"), DAY("day"), MONTH("month"), TOTAL("total");

    private static final DateTimeFormatter HOUR_LABEL = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH", Locale.ROOT);
    private static final DateTimeFormatter MINUTE_LABEL =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm'Z'", Locale.ROOT).withZone(ZoneOffset.UTC);

    private final String label;

    UsagePeriods(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    public static UsagePeriods parse(String label) {
        for (UsagePeriods period : values()) {
            if (period.label.equals(label)) {
                return period;
            }
        }
        throw new IllegalArgumentException("period must be one of hour, day, month, total; was '" + label + "'");
    }

    /** The label of the period holding {@code at} in {@code zone}. */
    public String start(Instant at, ZoneId zone) {
        ZonedDateTime local = at.atZone(zone);
        return switch (this) {
            case HOUR -> HOUR_LABEL.format(local);
            case DAY -> local.toLocalDate().toString();
            case MONTH -> YearMonth.from(local).toString();
            case TOTAL -> "all";
        };
    }

    /** When the period labelled {@code start} ends in {@code zone}; never for the total. */
    public Instant end(String start, ZoneId zone) {
        return switch (this) {
            case HOUR -> LocalDateTime.parse(start + ":00").plusHours(1).atZone(zone).toInstant();
            case DAY -> LocalDate.parse(start).plusDays(1).atStartOfDay(zone).toInstant();
            case MONTH -> YearMonth.parse(start).plusMonths(1).atDay(1).atStartOfDay(zone).toInstant();
            case TOTAL -> Instant.MAX;
        };
    }

    /*
     * Row keys join fields with '|'. Ids are validated to exclude it, but a rejection can carry an id that failed
     * validation, so the tenant and user fields are escaped ('%' as %25, '|' as %7C): no two rows share a key, and
     * a valid id's key is the same as before escaping existed.
     */
    public static String tenantKey(String tenant, UsagePeriods period, String start) {
        return rowKey(scope(tenant, null), period, start);
    }

    public static String userKey(String tenant, String user, UsagePeriods period, String start) {
        return rowKey(scope(tenant, user), period, start);
    }

    /**
     * The start every row key of a tenant ({@code user} null) or of one of its users shares:
     * {@code tenant|<tenant>|} or {@code user|<tenant>|<user>|}; also the key of their latest rows' entry.
     */
    public static String scope(String tenant, String user) {
        return user == null ? "tenant|" + escape(tenant) + "|" : "user|" + escape(tenant) + "|" + escape(user) + "|";
    }

    /** The key of a scope's row of one period. */
    public static String rowKey(String scope, UsagePeriods period, String start) {
        return scope + period.label + "|" + start;
    }

    /** Prefix of every row of one tenant (or one of its users) in one period. */
    public static String prefix(String tenant, String user, UsagePeriods period) {
        return scope(tenant, user) + period.label + "|";
    }

    /** A key's fields, unescaped. */
    public static String[] fields(String key) {
        String[] parts = key.split("\\|", -1);
        for (int i = 0; i < parts.length; i++) {
            parts[i] = parts[i].replace("%7C", "|").replace("%25", "%");
        }
        return parts;
    }

    static String escape(String field) {
        return field.replace("%", "%25").replace("|", "%7C");
    }

    /** Every period's key for a tenant and its user at {@code at}. */
    public static List<String> keys(String tenant, String user, Instant at, ZoneId zone) {
        List<String> keys = new java.util.ArrayList<>(8);
        for (UsagePeriods period : values()) {
            String start = period.start(at, zone);
            keys.add(tenantKey(tenant, period, start));
            keys.add(userKey(tenant, user, period, start));
        }
        return keys;
    }

    /** The UTC minute label of a provider row. */
    public static String minute(Instant at) {
        return MINUTE_LABEL.format(at.truncatedTo(ChronoUnit.MINUTES));
    }

    /** The start of a minute label. */
    public static Instant minuteStart(String label) {
        return Instant.parse(label.replace("Z", ":00Z"));
    }

    public static String providerKey(String provider, String model, String variant, String minute) {
        return escape(provider) + "|" + escape(model) + "|" + (variant == null ? "-" : escape(variant)) + "|"
                + minute;
    }
}
