package io.sluice.app.dlq;

import io.sluice.config.SluiceConfig;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Who an operator command acts as, for the audit trail: the Kafka principal its credentials name (the SASL user of
 * {@code kafka.sasl.jaas.config}), which the cluster authenticated and authorized, else the operating-system user
 * running it. Never a value typed on the command line: an audit record must say who could act, not who claimed to.
 */
public final class OperatorIdentity {
    private static final Pattern SASL_USER = Pattern.compile("username\\s*=\\s*\"([^\"]+)\"");

    private OperatorIdentity() {}

    public static String of(SluiceConfig config) {
        Object jaas = config.kafkaPassthrough().get("sasl.jaas.config");
        if (jaas != null) {
            Matcher user = SASL_USER.matcher(String.valueOf(jaas));
            if (user.find()) {
                return "kafka:" + user.group(1);
            }
        }
        return "os:" + System.getProperty("user.name", "unknown");
    }

    /** What to say to someone who still passes {@code --operator}. */
    public static String noOperatorFlag(SluiceConfig config) {
        return "--operator is not taken any more: the audit trail names who the credentials say acts ("
                + of(config) + " here: the Kafka SASL user, else the OS user); drop the option";
    }
}
