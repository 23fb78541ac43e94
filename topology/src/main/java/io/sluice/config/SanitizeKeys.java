package io.sluice.config;

import static org.apache.kafka.common.config.ConfigDef.Importance.HIGH;
import static org.apache.kafka.common.config.ConfigDef.Importance.MEDIUM;
import static org.apache.kafka.common.config.ConfigDef.Range.atLeast;

import java.util.List;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.ValidString;
import org.apache.kafka.common.config.ConfigException;

/**
 * Intake and the sanitize stage: what a request may carry, what becomes of injections and personal data, tenants
 * with topics of their own; and each route's own sanitize policy.
 */
interface SanitizeKeys {
    String INTAKE_TENANT_TOPICS = "intake.tenant.topics";
    String INTAKE_MAX_RECORD_BYTES = "intake.max.record.bytes";
    String INTAKE_MAX_COLLECTION_ITEMS = "intake.max.collection.items";
    String SANITIZE_MAX_MESSAGES = "sanitize.max.messages";
    String SANITIZE_MAX_CHARS = "sanitize.max.chars";
    String SANITIZE_MAX_TOKENS = "sanitize.max.tokens";
    String SANITIZE_INJECTION_ACTION = "sanitize.injection.action";
    String SANITIZE_INJECTION_THRESHOLD = "sanitize.injection.threshold";
    String SANITIZE_PII_ACTION = "sanitize.pii.action";

    String SANITIZE_ROUTE_PREFIX = "sanitize.route.";

    /** The families of prefixed keys this group declares, in the order the reference lists them. */
    static List<KeyFamily> families() {
        return List.of(
                new KeyFamily(SANITIZE_ROUTE_PREFIX, "sanitize.route.<route>.<setting>=value",
                        "A route's own sanitize policy (sanitize stage): injection.action, injection.threshold or"
                                + " pii.action, over the sanitize.* defaults."));
    }

    /** Defines this group's keys in {@code definition}. */
    static ConfigDef define(ConfigDef definition) {
        return definition
                .define(INTAKE_TENANT_TOPICS, Type.LIST, "", topicNames(), MEDIUM,
                        "Tenants with topics of their own: requests read from <prefix>requests.<tenant> are that"
                                + " tenant's only (one naming another tenant is rejected TENANT_MISMATCH), and their"
                                + " answers and rejections are copied to <prefix>responses.<tenant> and"
                                + " <prefix>rejected.<tenant>; ./sluice acls gives a producer its tenant's topics alone.")
                .define(INTAKE_MAX_RECORD_BYTES, Type.INT, 1024 * 1024, atLeast(1024), MEDIUM,
                        "Largest requests-topic record read, in bytes; a larger one is dead-lettered before it is"
                                + " decoded.")
                .define(INTAKE_MAX_COLLECTION_ITEMS, Type.INT, 10_000, atLeast(1), MEDIUM,
                        "Most items a request's arrays and maps (messages, stop sequences, metadata) may declare"
                                + " together; a record declaring more is dead-lettered before anything is allocated.")
                .define(SANITIZE_MAX_MESSAGES, Type.INT, 64, atLeast(1), MEDIUM,
                        "Most chat messages a request may carry.")
                .define(SANITIZE_MAX_CHARS, Type.INT, 32_000, atLeast(1), MEDIUM,
                        "Most characters of message content a request may carry, summed over messages.")
                .define(SANITIZE_MAX_TOKENS, Type.INT, 16_000, atLeast(1), MEDIUM,
                        "Most input tokens a request may carry, counted with the route model's tokenizer.")
                .define(SANITIZE_INJECTION_ACTION, Type.STRING, "block", ValidString.in("block", "flag", "off"), HIGH,
                        "Likely prompt injections: block (reject), flag (pass, marked) or off; per route: sanitize.route.<route>.injection.action.")
                .define(SANITIZE_INJECTION_THRESHOLD, Type.DOUBLE, 1.0, atLeast(0.01), MEDIUM,
                        "Injection score at or above which a message counts as an injection; per route: sanitize.route.<route>.injection.threshold.")
                .define(SANITIZE_PII_ACTION, Type.STRING, "redact", ValidString.in("redact", "pass"), HIGH,
                        "Personal data and secrets in prompts: redact before the provider sees them, or pass; per route: sanitize.route.<route>.pii.action.");
    }

    /** Tenant ids that are also topic names: 1-128 characters of [A-Za-z0-9._-]. */
    private static ConfigDef.Validator topicNames() {
        return ConfigDef.LambdaValidator.with((name, value) -> {
            for (Object tenant : (List<?>) value) {
                if (!String.valueOf(tenant).matches("[A-Za-z0-9._-]{1,128}")) {
                    throw new ConfigException(name, tenant, "a tenant with topics of its"
                            + " own needs an id that is also a topic name: 1-128 characters of [A-Za-z0-9._-]");
                }
            }
        }, () -> "tenant ids of 1-128 characters of [A-Za-z0-9._-]");
    }
}
