package io.sluice.app.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.app.LogFile;
import io.sluice.app.load.LoadTrafficOptions;
import io.sluice.app.runtime.SluiceRuntime;
import io.sluice.app.runtime.ThreadCpu;
import io.sluice.config.SluiceConfig;
import io.sluice.config.SluiceConfigDef;
import io.sluice.simulator.Latency;
import io.sluice.simulator.SimulatorSettings;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/**
 * {@code sluice bench pipeline}: the whole pipeline as {@code sluice run} runs it (embedded broker and registry,
 * every stage, exactly-once) in this JVM, loaded by the traffic of {@code sluice load}: a warm-up, then a closed
 * loop, an open loop and a light load, each measured and printed as one JSON line.
 */
@Command(name = "pipeline", mixinStandardHelpOptions = true, sortOptions = false,
        defaultValueProvider = PipelineBenchCommand.Defaults.class,
        description = {"Measures the whole pipeline as ./sluice run runs it (every stage, exactly-once), on its own"
                + " embedded broker, registry and simulator at free ports, loaded as ./sluice load loads it: a warm-up,"
                + " then each scenario (closed loop, open loop, light load) printed as one JSON line. Settings are the"
                + " built-in defaults with tenant limits off, plus --set; a scenario that would take --users over the"
                + " per-user limits sends from as many more users as it needs. Exits 1 if any request is unaccounted"
                + " for or answered twice."})
final class PipelineBenchCommand implements Callable<Integer> {
    /** Tenant limits would refuse the bench's few tenants long before the pipeline is saturated. */
    private static final List<String> TENANT_LIMITS = List.of(SluiceConfigDef.LIMIT_TENANT_RPM,
            SluiceConfigDef.LIMIT_TENANT_RPH, SluiceConfigDef.LIMIT_TENANT_RPD, SluiceConfigDef.LIMIT_TENANT_TPM,
            SluiceConfigDef.LIMIT_TENANT_TPD);

    /** The traffic options' defaults for a bench: no request refused, from as many users as the issue measured. */
    static final class Defaults implements CommandLine.IDefaultValueProvider {
        private static final Map<String, String> VALUES = Map.of("--users", "6000", "--malformed", "0",
                "--over-limit", "0");

        @Override
        public String defaultValue(CommandLine.Model.ArgSpec arg) {
            return arg instanceof CommandLine.Model.OptionSpec option ? VALUES.get(option.longestName()) : null;
        }
    }

    @Mixin
    PipelineScenarioOptions load;

    @Mixin
    LoadTrafficOptions mix;

    @Option(names = "--set", paramLabel = "KEY=VALUE",
            description = "A Sluice setting, as in sluice.properties; repeatable (streams.commit.interval.ms=50,"
                    + " call.max.in.flight.per.task=6000). Kafka client settings pass through with the kafka. prefix.")
    Map<String, String> overrides = new LinkedHashMap<>();

    @Option(names = "--work-dir", defaultValue = ".sluice/bench-pipeline", paramLabel = "DIR",
            description = "Directory of the bench's broker, state and log; emptied first (default: ${DEFAULT-VALUE}).")
    Path workDir;

    @Option(names = "--output", paramLabel = "FILE",
            description = "Also write the JSON lines to FILE (replaced).")
    Path output;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        validate();
        // on a thread of its own, so the CPU it takes counts as the load driver's
        FutureTask<Integer> bench = new FutureTask<>(this::bench);
        Thread.ofPlatform().name(ThreadCpu.DRIVER + "-main").start(bench);
        try {
            return bench.get();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
    }

    private int bench() throws IOException {
        PrintWriter err = spec.commandLine().getErr();
        emptyWorkDir();
        Path log = workDir.resolve("sluice.log");
        LogFile.redirectTo(log);
        err.println("Starting Sluice with its own broker, registry and simulator in " + workDir + " (logs: " + log
                + ")...");
        err.flush();
        boolean accountedFor;
        try (SluiceRuntime runtime = SluiceRuntime.start(config(), SimulatorSettings.defaults()
                .withLatency(Latency.fixed(load.firstLatency().toMillis())));
             PipelineBench pipeline = new PipelineBench(runtime, mix, settings(runtime.config()), err)) {
            runtime.awaitRunning(Duration.ofMinutes(2));
            accountedFor = warmUp(pipeline, err) & measure(pipeline);
        }
        if (!accountedFor) {
            err.println("Some requests were unaccounted for or answered twice: see unaccounted, duplicates and"
                    + " unusualOutcomes, and " + log);
        }
        return accountedFor ? 0 : 1;
    }

    /** Sends the warm-up, unmeasured; true when every request of it had exactly one outcome. */
    private boolean warmUp(PipelineBench pipeline, PrintWriter err) {
        return load.warmup().map(scenario -> {
            PipelineBench.Result warm = pipeline.run(scenario);
            err.printf("warm-up done: %s outcomes/s, latency p50 %s ms, %s unaccounted, %s duplicates%n",
                    warm.line().path("outcomesPerSec"), warm.line().path("latencyMs").path("p50"),
                    warm.line().path("unaccounted"), warm.line().path("duplicates"));
            return warm.accountedFor();
        }).orElse(true);
    }

    /** Runs each scenario and prints its line; true when every request had exactly one outcome. */
    private boolean measure(PipelineBench pipeline) throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        if (output != null && output.toAbsolutePath().getParent() != null) {
            Files.createDirectories(output.toAbsolutePath().getParent());
        }
        boolean accountedFor = true;
        List<String> lines = new ArrayList<>();
        for (PipelineScenario scenario : load.measured()) {
            PipelineBench.Result result = pipeline.run(scenario);
            accountedFor &= result.accountedFor();
            lines.add(result.line().toString());
            out.println(lines.getLast());
            out.flush();
            if (output != null) {
                Files.write(output, lines); // as it goes, so a long run's first lines outlive a failed last one
            }
        }
        return accountedFor;
    }

    /** The built-in defaults, as {@code ./sluice run} has them, in the work dir at free ports; then --set. */
    private SluiceConfig config() {
        Map<String, Object> settings = new HashMap<>();
        settings.put(SluiceConfigDef.EMBEDDED_DATA_DIR, workDir.resolve("kafka").toString());
        settings.put(SluiceConfigDef.STATE_DIR, workDir.resolve("state").toString());
        // free ports: a ./sluice run on 9092, 8081 and 8080 goes on undisturbed
        settings.put(SluiceConfigDef.EMBEDDED_KAFKA_PORT, 0);
        settings.put(SluiceConfigDef.EMBEDDED_REGISTRY_PORT, 0);
        settings.put(SluiceConfigDef.EMBEDDED_SIMULATOR_PORT, 0);
        settings.put(SluiceConfigDef.HTTP_HOST, "127.0.0.1");
        settings.put(SluiceConfigDef.HTTP_PORT, 0);
        TENANT_LIMITS.forEach(key -> settings.put(key, 0L));
        settings.putAll(overrides);
        return SluiceConfig.of(settings);
    }

    /** The settings every line repeats: those its figures depend on most, and every --set. */
    private ObjectNode settings(SluiceConfig config) {
        ObjectNode out = new ObjectMapper().createObjectNode();
        for (String key : List.of(SluiceConfigDef.PROCESSING_GUARANTEE, SluiceConfigDef.NUM_STREAM_THREADS,
                SluiceConfigDef.TOPICS_PARTITIONS, SluiceConfigDef.COMMIT_INTERVAL_MS,
                SluiceConfigDef.CALL_MAX_IN_FLIGHT, SluiceConfigDef.BULKHEAD_MAX_CALLS)) {
            out.putPOJO(key, config.values().get(key));
        }
        out.put("promptTokens", mix.promptTokens.toString());
        out.put("keyBy", mix.keyBy());
        out.put("cores", Runtime.getRuntime().availableProcessors());
        out.put("jvm", System.getProperty("java.runtime.version"));
        out.putPOJO("set", overrides);
        return out;
    }

    private void emptyWorkDir() throws IOException {
        BenchCommand.deleteRecursively(workDir);
        Files.createDirectories(workDir);
    }

    /**
     * Refuses a work dir holding anything but an earlier bench's files, as it is emptied first: {@code --work-dir .}
     * must not empty a checkout.
     */
    private void checkWorkDir() throws IOException {
        if (Files.isDirectory(workDir)) {
            try (var files = Files.list(workDir)) {
                if (files.findAny().isPresent() && !Files.exists(workDir.resolve("sluice.log"))) {
                    throw usage("--work-dir " + workDir + " holds files but no sluice.log, so it is not an earlier"
                            + " bench's, and the bench empties it first; give a new or empty directory");
                }
            }
        }
    }

    private void validate() throws IOException {
        checkWorkDir();
        load.validate();
        mix.validate();
    }

    private CommandLine.ParameterException usage(String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }
}
