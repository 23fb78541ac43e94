package io.sluice.app.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.app.load.LoadReport;
import io.sluice.app.load.LoadRun;
import io.sluice.app.load.LoadTraffic;
import io.sluice.app.load.LoadTrafficOptions;
import io.sluice.app.load.LoadWarnings;
import io.sluice.app.load.OutcomeTracker;
import io.sluice.app.runtime.RunningSluice;
import io.sluice.app.runtime.SluiceRuntime;
import io.sluice.app.runtime.StageLag;
import io.sluice.app.runtime.ThreadCpu;
import io.sluice.app.runtime.TopicOffsets;
import io.sluice.config.SluiceConfigDef;
import io.sluice.simulator.Latency;
import io.sluice.simulator.ProviderSimulator;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;

/**
 * Sends load scenarios, one after another, through one Sluice running in this JVM, with the traffic of
 * {@code sluice load} ({@link LoadTraffic}, {@link LoadRun}, {@link OutcomeTracker}), and measures each: outcomes,
 * latency, Sluice's overhead, CPU by thread group, input lag and records written. The simulator's latency is set
 * per scenario; calls already made finish at the latency they were made with, and none is left between scenarios.
 */
final class PipelineBench implements AutoCloseable {
    /** How long the broker's writes may go on after a scenario's last outcome (accounting) at most. */
    private static final Duration SETTLE = Duration.ofSeconds(10);
    /**
     * Users per scenario, as a multiple of the fewest that keep within the per-user limits: room for the limits'
     * bucketed windows, which may count a little more than a window's worth.
     */
    private static final int USER_HEADROOM = 2;

    /** A scenario's JSON line, and whether every request it sent had exactly one outcome. */
    record Result(ObjectNode line, boolean accountedFor) {}

    private final SluiceRuntime runtime;
    private final ProviderSimulator simulator;
    private final RunningSluice sluice;
    private final LoadTrafficOptions traffic;
    private final ObjectNode config;
    private final PrintWriter progress;
    private final Admin admin;

    /**
     * @param traffic who sends what: at least its users, more when a scenario needs them to stay within the per-user
     *                limits
     * @param config  the settings to repeat in every line
     */
    PipelineBench(SluiceRuntime runtime, LoadTrafficOptions traffic, ObjectNode config, PrintWriter progress) {
        this.runtime = runtime;
        this.simulator = runtime.simulator().orElseThrow(() -> new IllegalStateException("the pipeline bench needs"
                + " the provider simulator, but Sluice started none: do not --set a provider's base URL or key"));
        this.sluice = new RunningSluice(runtime.config(), driverClient(runtime, ""), runtime.topics());
        this.traffic = traffic;
        this.config = config;
        this.progress = progress;
        this.admin = Admin.create(driverClient(runtime, "-admin"));
    }

    /** Runs {@code scenario} and measures it. */
    Result run(PipelineScenario scenario) {
        simulator.settings(simulator.settings().withLatency(Latency.fixed(scenario.providerLatency().toMillis())));
        int users = users(scenario);
        LoadTraffic load = load(scenario, users);
        TopicOffsets.Reading before = TopicOffsets.settled(admin, SETTLE);
        if (!before.quiet()) {
            progress.println("warning: the broker's writes did not stop within " + SETTLE.toSeconds() + " s before "
                    + scenario.name() + " (quietBefore false); in the last half second: " + before.stillWriting());
        }
        Histogram overheadMs = new Histogram(3_600_000L, 3);
        Histogram providerMs = new Histogram(3_600_000L, 3);
        LoadReport report;
        ThreadCpu.Usage cpu;
        StageLag.Lag lag;
        try (OutcomeTracker tracker = new OutcomeTracker(sluice.client(), sluice.topics());
             StageLag sampler = StageLag.of(admin, runtime.config(), runtime.topics(), Duration.ofSeconds(1), null,
                     ThreadCpu.DRIVER + "-lag-sampler")) {
            tracker.onOutcome(outcome -> {
                if (outcome.kind().equals("response")) {
                    // milliseconds on both sides: a response can come out a millisecond under its provider time
                    overheadMs.recordValue(Math.max(0, outcome.latencyMs() - outcome.providerMs()));
                    providerMs.recordValue(Math.min(outcome.providerMs(), 3_600_000L));
                }
            });
            ThreadCpu.Snapshot start = ThreadCpu.snapshot();
            LoadRun.Result run = new LoadRun(sluice, load, tracker, progress, sampler).run(scenario.shape());
            cpu = ThreadCpu.snapshot().since(start);
            lag = sampler.max();
            report = LoadReport.of(scenario.json(), scenario.description(), run, load, tracker);
        }
        Map<String, Long> after = TopicOffsets.settled(admin, SETTLE).byTopic();
        Map<String, Long> written = TopicOffsets.written(before.byTopic(), after);
        PipelineFigures figures = new PipelineFigures(scenario, users, traffic.tenants, before.quiet(), report,
                overheadMs, providerMs, cpu, lag, written, config);
        return new Result(figures.json(), report.accountedFor());
    }

    /** The requests of {@code scenario}, from {@code users}; warns of limits they will run into all the same. */
    private LoadTraffic load(PipelineScenario scenario, int users) {
        LoadWarnings.of(runtime.config(), scenario.requests(), scenario.rate(), users, traffic.tenants,
                traffic.promptTokens, traffic.malformed, traffic.overLimit)
                .forEach(w -> progress.println("warning: " + w));
        progress.printf("%s, %d users in %d tenants...%n", scenario.description(), users, traffic.tenants);
        progress.flush();
        return traffic.traffic(runtime.config(), users);
    }

    /** The users asked for, or more when the scenario needs more to stay within the per-user limits. */
    private int users(PipelineScenario scenario) {
        int needed = LoadWarnings.usersNeeded(runtime.config(), scenario.requests(), scenario.rate(),
                traffic.promptTokens, traffic.valid());
        int users = (int) Math.min(Integer.MAX_VALUE, Math.max((long) traffic.users, (long) needed * USER_HEADROOM));
        if (users > traffic.users) {
            progress.printf("note: %s sends from %d users, not %d, to stay within the per-user limits%n",
                    scenario.name(), users, traffic.users);
        }
        return users;
    }

    /** Client settings of the load driver's producer, reader and admin: their thread names say they are its. */
    private static Map<String, Object> driverClient(SluiceRuntime runtime, String suffix) {
        Map<String, Object> client = new HashMap<>(runtime.adminConfig());
        client.put(CommonClientConfigs.CLIENT_ID_CONFIG, ThreadCpu.DRIVER + suffix);
        return client;
    }

    @Override
    public void close() {
        admin.close();
    }
}
