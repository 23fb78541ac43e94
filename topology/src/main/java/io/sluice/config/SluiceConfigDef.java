package io.sluice.config;

import java.util.List;
import java.util.stream.Stream;
import org.apache.kafka.common.config.ConfigDef;

/**
 * Every Sluice setting: name, type, default, validation and a one-line doc, and every family of keys named by a
 * prefix (per route, per tier, Kafka client pass-through) with its doc. Each group of keys is defined in its own
 * class of this package, beside its documentation; this class composes them, and code names every key through it
 * ({@code SluiceConfigDef.CALL_TIMEOUT_MS}). The configuration reference in docs/configuration.md is generated from
 * this definition ({@code ./sluice config}) and a test keeps the two equal. A key that is neither defined here nor in
 * a family fails the start, named.
 */
// The groups are interfaces so that their key names are this class's own: one way to name a key, whichever group
// defines it. Nothing else implements them.
public final class SluiceConfigDef implements ClusterKeys, StreamsKeys, TopicKeys, HttpKeys, SanitizeKeys, LimitKeys,
        BudgetKeys, ProviderKeys, CallKeys, AccountingKeys {
    /** Every family of prefixed keys, in the order the reference lists them. */
    public static final List<KeyFamily> FAMILIES = Stream.of(CallKeys.families(), SanitizeKeys.families(),
            LimitKeys.families(), BudgetKeys.families(), ClusterKeys.families()).flatMap(List::stream).toList();

    /** Every key, group by group. */
    public static final ConfigDef DEFINITION = definition();

    private SluiceConfigDef() {}

    private static ConfigDef definition() {
        ConfigDef definition = new ConfigDef();
        ClusterKeys.define(definition);
        StreamsKeys.define(definition);
        TopicKeys.define(definition);
        HttpKeys.define(definition);
        SanitizeKeys.define(definition);
        LimitKeys.define(definition);
        BudgetKeys.define(definition);
        ProviderKeys.define(definition);
        CallKeys.define(definition);
        AccountingKeys.define(definition);
        return definition;
    }

    /** Whether {@code key} is a setting Sluice reads: defined, in a {@linkplain #FAMILIES family}, or a secret provider's. */
    public static boolean known(String key) {
        return DEFINITION.names().contains(key) || key.startsWith("config.providers")
                || FAMILIES.stream().anyMatch(family -> key.startsWith(family.prefix()));
    }
}
