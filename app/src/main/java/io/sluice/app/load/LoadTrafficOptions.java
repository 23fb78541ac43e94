package io.sluice.app.load;

import io.sluice.config.SluiceConfig;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * Who sends what, for the commands that load Sluice with {@link LoadTraffic} ({@code sluice load},
 * {@code sluice bench pipeline}): users, tenants, prompt sizes, the shares of malformed and over-limit requests, the
 * seed. A command that wants other defaults gives its own {@link CommandLine.IDefaultValueProvider}.
 */
public final class LoadTrafficOptions {
    @Option(names = {"-u", "--users"}, paramLabel = "U", defaultValue = "100",
            description = "Distinct users, sending in turn (default: ${DEFAULT-VALUE}).")
    public int users;

    @Option(names = {"-t", "--tenants"}, paramLabel = "T", defaultValue = "5",
            description = "Tenants the users belong to (default: ${DEFAULT-VALUE}).")
    public int tenants;

    @Option(names = "--prompt-tokens", paramLabel = "SIZE", defaultValue = "200",
            converter = LoadTraffic.PromptTokensConverter.class,
            description = "Prompt size in tokens, system message included: 200, or a range such as 50-2000, drawn"
                    + " log-uniformly (default: ${DEFAULT-VALUE}).")
    public LoadTraffic.PromptTokens promptTokens;

    @Option(names = "--malformed", paramLabel = "SHARE", defaultValue = "0.02",
            description = "Share of invalid requests (no messages, blank content, unknown route, bad role), which"
                    + " validation rejects (default: ${DEFAULT-VALUE}).")
    public double malformed;

    @Option(names = "--over-limit", paramLabel = "SHARE", defaultValue = "0.05",
            description = "Share sent by one hot user over its per-user request limit, once it has spent its"
                    + " allowance (limits.user.requests.per.minute): rejected RATE_LIMITED"
                    + " (default: ${DEFAULT-VALUE}).")
    public double overLimit;

    @Option(names = "--key-by", paramLabel = "KEY", defaultValue = "request",
            description = "The requests topic's record key: request (the request id) or tenant (the tenant id: Sluice"
                    + " then runs a request's limits, budget and call in the task that read it, one transactional"
                    + " hop less, but a tenant's sanitizing is no longer spread over partitions)"
                    + " (default: ${DEFAULT-VALUE}).")
    String keyBy;

    @Option(names = "--seed", paramLabel = "SEED", defaultValue = "42",
            description = "Seed of the synthetic traffic (default: ${DEFAULT-VALUE}).")
    long seed;

    @CommandLine.Spec(CommandLine.Spec.Target.MIXEE)
    CommandLine.Model.CommandSpec command;

    /** Refuses out-of-range users, tenants and shares, saying what is expected. */
    public void validate() {
        if (users < 1 || tenants < 1 || tenants > users) {
            throw usage("--users and --tenants must be at least 1, with no more tenants than users");
        }
        if (!keyBy.equals("request") && !keyBy.equals("tenant")) {
            throw usage("--key-by is request or tenant, not " + keyBy);
        }
        if (malformed < 0 || overLimit < 0 || malformed + overLimit > 1) {
            throw usage("--malformed and --over-limit are shares between 0 and 1 with a sum of at most 1, e.g. 0.02");
        }
    }

    /** What the requests are keyed by: {@code request} or {@code tenant}. */
    public String keyBy() {
        return keyBy;
    }

    /** Share of the requests that are neither malformed nor the hot user's. */
    public double valid() {
        return 1 - malformed - overLimit;
    }

    /** The traffic of these options from {@code users} users, for the Sluice {@code config} describes. */
    public LoadTraffic traffic(SluiceConfig config, int users) {
        return LoadTraffic.forConfig(config, seed, users, tenants, promptTokens, malformed, overLimit,
                keyBy.equals("tenant"));
    }

    private CommandLine.ParameterException usage(String message) {
        return new CommandLine.ParameterException(command.commandLine(), message);
    }
}
