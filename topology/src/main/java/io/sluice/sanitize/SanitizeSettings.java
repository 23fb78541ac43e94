package io.sluice.sanitize;

import io.sluice.config.RouteTable;
import io.sluice.config.SluiceConfig;
import io.sluice.config.SluiceConfigDef;
import java.util.List;

/**
 * The sanitize stage's settings, read once from its keys ({@code sanitize.*}, {@code sanitize.route.<route>.*} and
 * {@code intake.tenant.topics}).
 *
 * @param tenantsWithTopics tenants whose requests come on topics of their own: the topic says whose a request is
 */
public record SanitizeSettings(int maxMessages, int maxChars, int maxTokens, SanitizePolicies policies,
                               List<String> tenantsWithTopics) {
    public SanitizeSettings {
        tenantsWithTopics = List.copyOf(tenantsWithTopics);
    }

    public static SanitizeSettings from(SluiceConfig config) {
        return new SanitizeSettings(config.integer(SluiceConfigDef.SANITIZE_MAX_MESSAGES),
                config.integer(SluiceConfigDef.SANITIZE_MAX_CHARS), config.integer(SluiceConfigDef.SANITIZE_MAX_TOKENS),
                SanitizePolicies.from(config), config.getList(SluiceConfigDef.INTAKE_TENANT_TOPICS));
    }

    /** The structural checks on a request against {@code routes}. */
    public RequestValidator validator(RouteTable routes) {
        return new RequestValidator(routes, maxMessages, maxChars);
    }
}
