package io.sluice.app.load;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * A load run as one self-contained HTML page: the summary, then throughput (sent and completed per second) and
 * latency (p50, p95, p99 of each second's outcomes) over time, as inline SVG drawn here. No script, no network.
 */
final class LoadChart {
    private static final int WIDTH = 880;
    private static final int HEIGHT = 260;
    private static final int LEFT = 64;
    private static final int RIGHT = 16;
    private static final int TOP = 16;
    private static final int BOTTOM = 40;

    /** One line of a plot: a value a second, null where there is none (a gap in the line). */
    private record Series(String name, String color, Function<LoadTimeline.Point, ? extends Number> value) {}

    private LoadChart() {}

    static void write(LoadReport report, Path file) throws IOException {
        if (file.toAbsolutePath().getParent() != null) {
            Files.createDirectories(file.toAbsolutePath().getParent());
        }
        Files.writeString(file, html(report), StandardCharsets.UTF_8);
    }

    static String html(LoadReport report) {
        List<LoadTimeline.Point> points = report.timeSeries();
        return "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Sluice load run</title>\n"
                + "<style>body{font:14px system-ui,sans-serif;margin:24px;color:#222}"
                + "h2{font-size:16px;margin:24px 0 4px}pre{background:#f6f6f6;padding:12px;overflow:auto}"
                + "svg text{font:12px system-ui,sans-serif}</style>"
                + "</head><body>\n<h1>Sluice load run, " + Instant.ofEpochMilli(report.run().startMs()) + "</h1>\n"
                + "<pre>" + escape(report.summary()) + "</pre>\n"
                + "<h2>Throughput (requests per second)</h2>\n"
                + plot(points, List.of(new Series("sent", "#1f77b4", LoadTimeline.Point::sent),
                        new Series("completed", "#2ca02c", LoadTimeline.Point::outcomes)))
                + "<h2>End-to-end latency of the outcomes of each second (ms)</h2>\n"
                + plot(points, List.of(new Series("p50", "#2ca02c", LoadTimeline.Point::p50),
                        new Series("p95", "#ff7f0e", LoadTimeline.Point::p95),
                        new Series("p99", "#d62728", LoadTimeline.Point::p99)))
                + "<h2>Settings</h2>\n<pre>" + escape(report.settings().toPrettyString()) + "</pre>\n</body></html>\n";
    }

    /** Where a second and a value land in a plot whose axes run to {@code seconds} and {@code yMax}. */
    private record Frame(int seconds, double yMax) {
        static final int PLOT_WIDTH = WIDTH - LEFT - RIGHT;
        static final int PLOT_HEIGHT = HEIGHT - TOP - BOTTOM;

        double x(double second) {
            return LEFT + second / seconds * PLOT_WIDTH;
        }

        double y(double value) {
            return TOP + PLOT_HEIGHT - value / yMax * PLOT_HEIGHT;
        }
    }

    private static String plot(List<LoadTimeline.Point> points, List<Series> lines) {
        Frame frame = new Frame(Math.max(1, points.size() - 1), niceCeiling(points.stream()
                .flatMap(p -> lines.stream().map(l -> l.value().apply(p))).filter(v -> v != null)
                .mapToDouble(Number::doubleValue).max().orElse(1)));
        StringBuilder svg = new StringBuilder(String.format(Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\">%n",
                WIDTH, HEIGHT, WIDTH, HEIGHT));
        axes(svg, frame);
        for (int i = 0; i < lines.size(); i++) {
            line(svg, frame, points, lines.get(i));
            svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"3\" fill=\"%s\"/>"
                    + "<text x=\"%d\" y=\"%d\">%s</text>%n", LEFT + 12 + i * 110, TOP + 2, lines.get(i).color(),
                    LEFT + 28 + i * 110, TOP + 7, escape(lines.get(i).name())));
        }
        return svg.append("</svg>\n").toString();
    }

    private static void axes(StringBuilder svg, Frame frame) {
        double yStep = niceCeiling(frame.yMax() / 5);
        for (int tick = 0; tick <= Math.round(frame.yMax() / yStep); tick++) {
            double py = frame.y(tick * yStep);
            svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>"
                    + "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>%n", LEFT, py, WIDTH - RIGHT, py,
                    LEFT - 6, py + 4, label(tick * yStep)));
        }
        long xStep = Math.max(1, Math.round(niceCeiling(frame.seconds() / 10.0)));
        for (long second = 0; second <= frame.seconds(); second += xStep) {
            svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n",
                    frame.x(second), TOP + Frame.PLOT_HEIGHT + 16, label(second)));
        }
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">seconds since the"
                + " start</text>%n", LEFT + Frame.PLOT_WIDTH / 2, HEIGHT - 4));
    }

    /** A path through the values, broken where a second has none; a value alone between gaps gets a dot. */
    private static void line(StringBuilder svg, Frame frame, List<LoadTimeline.Point> points, Series series) {
        StringBuilder path = new StringBuilder();
        for (int k = 0; k < points.size(); k++) {
            Number v = series.value().apply(points.get(k));
            if (v == null) {
                continue;
            }
            double px = frame.x(points.get(k).second());
            double py = frame.y(v.doubleValue());
            boolean joined = k > 0 && series.value().apply(points.get(k - 1)) != null;
            path.append(String.format(Locale.ROOT, "%s%.1f,%.1f ", joined ? "L" : "M", px, py));
            if (!joined && (k + 1 == points.size() || series.value().apply(points.get(k + 1)) == null)) {
                svg.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2.5\" fill=\"%s\"/>%n",
                        px, py, series.color()));
            }
        }
        svg.append(String.format(Locale.ROOT, "<path d=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\""
                + " stroke-linejoin=\"round\"/>%n", path.toString().strip(), series.color()));
    }

    /** The smallest of 1, 2 or 5 times a power of ten that is at least {@code value}. */
    static double niceCeiling(double value) {
        if (value <= 0) {
            return 1;
        }
        double power = Math.pow(10, Math.floor(Math.log10(value)));
        for (double step : new double[] {1, 2, 5, 10}) {
            if (step * power >= value) {
                return step * power;
            }
        }
        return 10 * power;
    }

    private static String label(double value) {
        return value == Math.rint(value) ? String.format(Locale.ROOT, "%,d", (long) value)
                : String.format(Locale.ROOT, "%.1f", value);
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
