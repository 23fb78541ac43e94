package io.sluice.app.bench;

import io.sluice.app.DurationConverter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/**
 * The pipeline bench's options for what it sends: the warm-up and the scenarios, each with its shape and provider
 * latency. The defaults are the figures the pipeline is held to: 30,000 requests with at most 1,000 waiting at 50 ms,
 * 3,000 a second for a minute at 1 s, and a light 100 a second for 30 s at 50 ms.
 */
final class PipelineScenarioOptions {
    private static final List<String> SCENARIOS = List.of("closed", "open", "light");

    @Option(names = "--scenarios", split = ",", defaultValue = "closed,open,light",
            description = "Scenarios to run, in order: closed, open, light (default: ${DEFAULT-VALUE}).")
    List<String> scenarios;

    @Option(names = "--warmup", defaultValue = "10000", paramLabel = "N",
            description = "Requests sent first, closed loop at --concurrency and --closed-latency, not measured, so the"
                    + " JIT has compiled the hot path; 0 skips it (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = {"-n", "--requests"}, defaultValue = "30000", paramLabel = "N",
            description = "closed: requests (default: ${DEFAULT-VALUE}).")
    int requests;

    @Option(names = "--concurrency", defaultValue = "1000", paramLabel = "C",
            description = "closed: requests waiting for an outcome at once, at most (default: ${DEFAULT-VALUE}).")
    int concurrency;

    @Option(names = "--closed-latency", defaultValue = "50ms", paramLabel = "D", converter = DurationConverter.class,
            description = "closed: the simulated provider's fixed latency (default: ${DEFAULT-VALUE}).")
    Duration closedLatency;

    @Option(names = "--rate", defaultValue = "3000", paramLabel = "R",
            description = "open: requests a second, on schedule however many wait (default: ${DEFAULT-VALUE}).")
    double rate;

    @Option(names = "--duration", defaultValue = "60s", paramLabel = "D", converter = DurationConverter.class,
            description = "open: how long requests are sent (default: ${DEFAULT-VALUE}).")
    Duration duration;

    @Option(names = "--open-latency", defaultValue = "1s", paramLabel = "D", converter = DurationConverter.class,
            description = "open: the simulated provider's fixed latency (default: ${DEFAULT-VALUE}).")
    Duration openLatency;

    @Option(names = "--light-rate", defaultValue = "100", paramLabel = "R",
            description = "light: requests a second (default: ${DEFAULT-VALUE}).")
    double lightRate;

    @Option(names = "--light-duration", defaultValue = "30s", paramLabel = "D", converter = DurationConverter.class,
            description = "light: how long requests are sent (default: ${DEFAULT-VALUE}).")
    Duration lightDuration;

    @Option(names = "--light-latency", defaultValue = "50ms", paramLabel = "D", converter = DurationConverter.class,
            description = "light: the simulated provider's fixed latency (default: ${DEFAULT-VALUE}).")
    Duration lightLatency;

    @Option(names = "--timeout", defaultValue = "2m", paramLabel = "D", converter = DurationConverter.class,
            description = "How long a scenario waits for its last outcomes once all is sent (default: 2m).")
    Duration timeout;

    @CommandLine.Spec(CommandLine.Spec.Target.MIXEE)
    CommandLine.Model.CommandSpec command;

    /** The warm-up: a closed loop like the closed scenario's; none when --warmup is 0. */
    Optional<PipelineScenario> warmup() {
        return warmup == 0 ? Optional.empty()
                : Optional.of(PipelineScenario.closed("warmup", concurrency, warmup, closedLatency, timeout));
    }

    /** The scenarios to measure, in the order asked for. */
    List<PipelineScenario> measured() {
        List<PipelineScenario> chosen = new ArrayList<>();
        for (String name : scenarios) {
            chosen.add(switch (name) {
                case "closed" -> PipelineScenario.closed(name, concurrency, requests, closedLatency, timeout);
                case "open" -> PipelineScenario.open(name, rate, duration, openLatency, timeout);
                default -> PipelineScenario.open(name, lightRate, lightDuration, lightLatency, timeout);
            });
        }
        return chosen;
    }

    /** The provider latency the simulator starts with: the warm-up's. */
    Duration firstLatency() {
        return closedLatency;
    }

    /** Refuses unknown scenarios and out-of-range sizes before anything starts, saying what is expected. */
    void validate() {
        for (String name : scenarios) {
            if (!SCENARIOS.contains(name)) {
                throw usage("--scenarios takes " + String.join(", ", SCENARIOS) + ", not '" + name + "'");
            }
        }
        if (warmup < 0 || requests < 1 || concurrency < 1 || !(rate > 0) || !(lightRate > 0)) {
            throw usage("--requests and --concurrency must be at least 1, --warmup at least 0, and the rates above 0");
        }
        if (Stream.of(duration, lightDuration, timeout).anyMatch(d -> d.isZero() || d.isNegative())
                || Stream.of(closedLatency, openLatency, lightLatency).anyMatch(Duration::isNegative)) {
            throw usage("--duration, --light-duration and --timeout must be above 0, the latencies at least 0");
        }
    }

    private CommandLine.ParameterException usage(String message) {
        return new CommandLine.ParameterException(command.commandLine(), message);
    }
}
