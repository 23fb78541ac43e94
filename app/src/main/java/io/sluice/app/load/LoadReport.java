package io.sluice.app.load;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The figures of one load run: what was sent, what came back, how fast and how late, second by second. Written as
 * a JSON report, printed as the summary, drawn by {@link LoadChart}.
 */
public record LoadReport(ObjectNode settings, String description, LoadRun.Result run, Map<LoadTraffic.Kind, Integer> sent,
                  OutcomeTracker.Summary outcomes, List<String> unaccountedIds, long lastOutcomeMs,
                  Latency latency, List<LoadTimeline.Point> timeSeries) {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** End-to-end latency in ms: the request's createdAt to its outcome read by the load tool. */
    record Latency(long p50, long p95, long p99, long max) {}

    public static LoadReport of(ObjectNode settings, String description, LoadRun.Result run, LoadTraffic traffic,
                         OutcomeTracker tracker) {
        return new LoadReport(settings, description, run, traffic.sent(), tracker.summary(), tracker.waitingIds(),
                tracker.lastOutcomeAt(), new Latency(tracker.latencyPercentileMs(50), tracker.latencyPercentileMs(95),
                        tracker.latencyPercentileMs(99), tracker.latencyMaxMs()), run.timeline().points());
    }

    public int sentTotal() {
        return sum(sent);
    }

    public int outcomeTotal() {
        return sum(outcomes.responsesByStatus()) + sum(outcomes.rejectionsByReason())
                + sum(outcomes.deadLettersByReason());
    }

    /** True when every request sent has exactly one outcome. */
    public boolean accountedFor() {
        return unaccountedIds.isEmpty() && outcomes.duplicates() == 0 && run.sendFailures() == 0;
    }

    public double sentPerSec() {
        return perSec(sentTotal(), run.lastSentMs());
    }

    public double outcomesPerSec() {
        return perSec(outcomeTotal(), lastOutcomeMs);
    }

    private double perSec(int count, long untilMs) {
        return count == 0 ? 0 : 1000.0 * count / Math.max(1, untilMs - run.startMs());
    }

    ObjectNode json() {
        ObjectNode out = JSON.createObjectNode();
        out.set("settings", settings);
        ObjectNode machine = out.putObject("machine");
        machine.put("cores", Runtime.getRuntime().availableProcessors());
        machine.put("jvm", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
        machine.put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
        machine.put("maxHeapMb", Runtime.getRuntime().maxMemory() >> 20);
        out.put("start", Instant.ofEpochMilli(run.startMs()).toString());
        out.put("end", Instant.ofEpochMilli(run.endMs()).toString());
        out.put("seconds", (run.endMs() - run.startMs()) / 1000.0);
        ObjectNode totals = out.putObject("totals");
        totals.put("sent", sentTotal());
        ObjectNode kinds = totals.putObject("sentByKind");
        sent.forEach((kind, n) -> kinds.put(kind.name().toLowerCase(Locale.ROOT), n));
        totals.put("sendFailures", run.sendFailures());
        totals.put("outcomes", outcomeTotal());
        totals.set("responses", JSON.valueToTree(outcomes.responsesByStatus()));
        totals.set("rejections", JSON.valueToTree(outcomes.rejectionsByReason()));
        totals.set("deadLetters", JSON.valueToTree(outcomes.deadLettersByReason()));
        totals.put("unaccounted", unaccountedIds.size());
        totals.put("duplicates", outcomes.duplicates());
        ObjectNode throughput = out.putObject("throughputPerSec");
        throughput.put("sent", round(sentPerSec()));
        throughput.put("outcomes", round(outcomesPerSec()));
        out.set("latencyMs", JSON.valueToTree(latency));
        ArrayNode series = out.putArray("timeSeries");
        timeSeries.forEach(point -> series.add(JSON.valueToTree(point)));
        out.set("unaccountedIds", JSON.valueToTree(unaccountedIds.subList(0, Math.min(100, unaccountedIds.size()))));
        out.set("unusualOutcomes", JSON.valueToTree(outcomes.notOk()));
        if (run.firstSendError() != null) {
            out.put("firstSendError", run.firstSendError());
        }
        return out;
    }

    void write(Path file) throws IOException {
        if (file.toAbsolutePath().getParent() != null) {
            Files.createDirectories(file.toAbsolutePath().getParent());
        }
        JSON.writerWithDefaultPrettyPrinter().writeValue(file.toFile(), json());
    }

    /** What the user reads at the end: one figure a line. */
    String summary() {
        int hot = sent.getOrDefault(LoadTraffic.Kind.HOT_ALLOWANCE, 0);
        int over = sent.getOrDefault(LoadTraffic.Kind.OVER_LIMIT, 0);
        StringBuilder out = new StringBuilder(description).append('\n');
        line(out, "sent", String.format(Locale.ROOT, "%d in %.1f s (%.1f/s): %d valid, %d malformed, %d over the"
                        + " per-user limit (+%d within it, from the same hot user)", sentTotal(),
                (run.lastSentMs() - run.startMs()) / 1000.0, sentPerSec(),
                sent.getOrDefault(LoadTraffic.Kind.VALID, 0), sent.getOrDefault(LoadTraffic.Kind.MALFORMED, 0),
                over, hot));
        line(out, "outcomes", String.format(Locale.ROOT, "%d in %.1f s (%.1f/s)", outcomeTotal(),
                Math.max(0, lastOutcomeMs - run.startMs()) / 1000.0, outcomesPerSec()));
        line(out, "latency", String.format(Locale.ROOT, "p50 %,d ms · p95 %,d ms · p99 %,d ms · max %,d ms",
                latency.p50(), latency.p95(), latency.p99(), latency.max()));
        line(out, "responses", counts(outcomes.responsesByStatus()));
        line(out, "rejected", counts(outcomes.rejectionsByReason()));
        line(out, "dead-lettered", counts(outcomes.deadLettersByReason()));
        List<String> some = unaccountedIds.subList(0, Math.min(5, unaccountedIds.size()));
        line(out, "unaccounted", unaccountedIds.size()
                + (some.isEmpty() ? "" : " (no outcome by the timeout), e.g. " + some));
        line(out, "duplicates", String.valueOf(outcomes.duplicates()));
        if (run.sendFailures() > 0) {
            line(out, "send failures", run.sendFailures() + ", first: " + run.firstSendError());
        }
        return out.toString();
    }

    /** One line of the summary: the label in a column, then the figures. */
    static void line(StringBuilder out, String label, String value) {
        out.append(String.format(Locale.ROOT, "  %-14s %s%n", label, value));
    }

    private static String counts(Map<String, Integer> counts) {
        return sum(counts) + (counts.isEmpty() ? "" : ": " + new TreeMap<>(counts).entrySet().stream()
                .map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(", ")));
    }

    private static int sum(Map<?, Integer> counts) {
        return counts.values().stream().mapToInt(Integer::intValue).sum();
    }

    private static double round(double value) {
        return Math.round(value * 10) / 10.0;
    }
}
