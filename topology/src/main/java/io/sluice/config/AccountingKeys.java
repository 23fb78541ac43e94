package io.sluice.config;

import static org.apache.kafka.common.config.ConfigDef.Importance.LOW;
import static org.apache.kafka.common.config.ConfigDef.Importance.MEDIUM;
import static org.apache.kafka.common.config.ConfigDef.Range.atLeast;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Type;

/**
 * The accounting stage: tenants' own time zones and how long its tables keep their rows.
 */
interface AccountingKeys {
    String ACCOUNTING_TENANT_TIMEZONES = "accounting.tenant.timezones";
    String ACCOUNTING_HOURLY_RETENTION_MS = "accounting.hourly.retention.ms";
    String ACCOUNTING_DAILY_RETENTION_MS = "accounting.daily.retention.ms";
    String ACCOUNTING_MINUTE_RETENTION_MS = "accounting.minute.retention.ms";
    String ACCOUNTING_STATUS_RETENTION_MS = "accounting.status.retention.ms";
    String ACCOUNTING_EMIT_INTERVAL_MS = "accounting.emit.interval.ms";

    /** Defines this group's keys in {@code definition}. */
    static ConfigDef define(ConfigDef definition) {
        return definition
                .define(ACCOUNTING_TENANT_TIMEZONES, Type.LIST, "", MEDIUM,
                        "Tenants' own time zones for their calendar days and months, e.g. acme:Europe/Berlin,globex:Asia/Tokyo;"
                        + " others use budgets.timezone.")
                .define(ACCOUNTING_HOURLY_RETENTION_MS, Type.LONG, 7L * 86_400_000, atLeast(3_600_000), LOW,
                        "How long hourly usage rows stay queryable after their hour (the usage topic keeps them).")
                .define(ACCOUNTING_DAILY_RETENTION_MS, Type.LONG, 400L * 86_400_000, atLeast(86_400_000), LOW,
                        "How long daily usage rows stay queryable after their day; monthly and total rows stay.")
                .define(ACCOUNTING_MINUTE_RETENTION_MS, Type.LONG, 2L * 86_400_000, atLeast(600_000), LOW,
                        "How long per-minute provider rows stay queryable.")
                .define(ACCOUNTING_STATUS_RETENTION_MS, Type.LONG, 7L * 86_400_000, atLeast(60_000), MEDIUM,
                        "How long a request's status stays queryable by id.")
                .define(ACCOUNTING_EMIT_INTERVAL_MS, Type.LONG, 5_000L, atLeast(100), MEDIUM,
                        "How often changed usage and provider rows are sent to the usage and provider-stats topics,"
                        + " each with its latest totals: a row changed several times in an interval is sent once."
                        + " The HTTP API reads the tables themselves, which are always current.");
    }
}
