package io.sluice.app.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.app.load.LoadReport;
import io.sluice.app.runtime.StageLag;
import io.sluice.app.runtime.ThreadCpu;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * What one scenario of the pipeline bench measured, as its JSON line: the outcomes and their end-to-end latency
 * (from {@link LoadReport}), Sluice's own share of that latency, the CPU each thread group used, the input lag and
 * the records the broker wrote, all over the scenario's window.
 *
 * @param quietBefore whether the broker's writes had stopped before the scenario began: false when it began behind
 *                    an earlier scenario's backlog
 * @param overheadMs per response: its end-to-end latency less the provider call's own time, as the response says
 * @param providerMs per response: the provider call's time, as the response says
 * @param written    records written to each topic from just before the scenario until its writes stopped
 * @param config     the pipeline settings the figures depend on, so lines of different runs can be compared
 */
record PipelineFigures(PipelineScenario scenario, int users, int tenants, boolean quietBefore, LoadReport report,
                       Histogram overheadMs, Histogram providerMs, ThreadCpu.Usage cpu, StageLag.Lag lag,
                       Map<String, Long> written, ObjectNode config) {
    private static final ObjectMapper JSON = new ObjectMapper();

    ObjectNode json() {
        ObjectNode out = scenario.json();
        out.put("users", users);
        out.put("tenants", tenants);
        out.put("quietBefore", quietBefore);
        int sent = report.sentTotal();
        out.put("sent", sent);
        out.put("outcomes", report.outcomeTotal());
        out.put("windowSec", Math.max(0, report.lastOutcomeMs() - report.run().startMs()) / 1000.0);
        out.put("sentPerSec", round(report.sentPerSec(), 1));
        out.put("outcomesPerSec", round(report.outcomesPerSec(), 1));
        out.set("responses", JSON.valueToTree(report.outcomes().responsesByStatus()));
        out.set("rejections", JSON.valueToTree(report.outcomes().rejectionsByReason()));
        out.set("deadLetters", JSON.valueToTree(report.outcomes().deadLettersByReason()));
        out.put("unaccounted", report.unaccountedIds().size());
        out.put("duplicates", report.outcomes().duplicates());
        out.put("sendFailures", report.run().sendFailures());
        out.set("latencyMs", JSON.valueToTree(report.latency()));
        out.set("overheadMs", percentiles(overheadMs));
        out.set("providerMs", percentiles(providerMs));
        out.set("cpu", cpu(Math.max(1, sent)));
        out.set("consumerLag", JSON.valueToTree(lag));
        long records = written.values().stream().mapToLong(Long::longValue).sum();
        out.put("recordsPerRequest", round((double) records / Math.max(1, sent), 2));
        ObjectNode byTopic = out.putObject("recordsPerRequestByTopic");
        written.forEach((topic, count) -> byTopic.put(topic, round((double) count / Math.max(1, sent), 2)));
        out.set("config", config);
        if (!report.outcomes().notOk().isEmpty()) {
            out.set("unusualOutcomes", JSON.valueToTree(report.outcomes().notOk()));
        }
        return out;
    }

    /** Cores busy on average over the window, and CPU microseconds per request sent, by thread group. */
    private ObjectNode cpu(int requests) {
        ObjectNode out = JSON.createObjectNode();
        out.put("windowSec", round(cpu.wallNanos() / 1e9, 1));
        ObjectNode cores = out.putObject("cores");
        ObjectNode perRequest = out.putObject("usPerRequest");
        cpu.nanos().forEach((group, nanos) -> {
            cores.put(group.json, round(cpu.cores(nanos), 2));
            perRequest.put(group.json, round(nanos / 1e3 / requests, 1));
        });
        cores.put("total", round(cpu.cores(cpu.totalNanos()), 2));
        perRequest.put("total", round(cpu.totalNanos() / 1e3 / requests, 1));
        // heap allocated per request: unlike CPU time, hardly moved by what else the machine runs
        ObjectNode allocated = out.putObject("allocatedKiBPerRequest");
        long allocatedTotal = 0;
        for (Map.Entry<ThreadCpu.Group, Long> group : cpu.allocated().entrySet()) {
            allocated.put(group.getKey().json, round(group.getValue() / 1024.0 / requests, 1));
            allocatedTotal += group.getValue();
        }
        allocated.put("total", round(allocatedTotal / 1024.0 / requests, 1));
        return out;
    }

    private static ObjectNode percentiles(Histogram ms) {
        ObjectNode out = JSON.createObjectNode();
        out.put("measured", ms.getTotalCount());
        boolean any = ms.getTotalCount() > 0;
        for (int percentile : new int[] {50, 95, 99}) {
            out.put("p" + percentile, any ? ms.getValueAtPercentile(percentile) : 0);
        }
        out.put("max", any ? ms.getMaxValue() : 0);
        return out;
    }

    private static double round(double value, int decimals) {
        double scale = Math.pow(10, decimals);
        return Math.round(value * scale) / scale;
    }
}
