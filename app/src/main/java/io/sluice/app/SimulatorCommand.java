package io.sluice.app;

import io.sluice.simulator.ProviderSimulator;
import io.sluice.simulator.SimulatorSettings;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code sluice simulator}: the provider simulator on its own, for local development and benchmarks. */
@Command(name = "simulator", mixinStandardHelpOptions = true,
        description = {"Serves the OpenAI Chat Completions and Anthropic Messages APIs with simulated answers.",
                "Point an SDK at http://localhost:PORT/v1 (OpenAI) or http://localhost:PORT (Anthropic).",
                "Change behaviour while it runs: POST /_sim/config; see counts: GET /_sim/stats."})
final class SimulatorCommand implements Callable<Integer> {
    @Option(names = {"-p", "--port"}, defaultValue = "8090", description = "Port (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = {"-s", "--settings"}, paramLabel = "FILE",
            description = "JSON settings: latency, error rates, rate limit, outages (default: fast and healthy).")
    Path settings;

    @Override
    public Integer call() throws Exception {
        SimulatorSettings chosen = settings == null ? SimulatorSettings.defaults() : SimulatorSettings.fromJson(settings);
        ProviderSimulator simulator = ProviderSimulator.start(chosen, port);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            simulator.close();
            stopped.countDown();
        }, "simulator-shutdown"));
        System.err.printf("Provider simulator on %s (OpenAI base URL %s, Anthropic base URL %s). Stop with Ctrl-C.%n",
                simulator.baseUrl(), simulator.openAiBaseUrl(), simulator.anthropicBaseUrl());
        stopped.await();
        return 0;
    }
}
