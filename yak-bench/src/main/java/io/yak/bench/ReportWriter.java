package io.yak.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;

/**
 * Writes the {@code --report} directory: {@code summary.md}, {@code summary.json}, and per workload
 * {@code <name>-throughput.svg} and, when it measured latency, {@code <name>.hgrm} (HdrHistogram percentile
 * distribution, values in milliseconds) and {@code <name>-latency.svg} (the percentile curve).
 */
final class ReportWriter {
    private ReportWriter() {
    }

    /** @return the files written */
    static List<Path> write(Path dir, List<Result> results, String markdown, String json) throws IOException {
        Files.createDirectories(dir);
        List<Path> written = new ArrayList<>();
        written.add(Files.writeString(dir.resolve("summary.md"), markdown));
        written.add(Files.writeString(dir.resolve("summary.json"), json));
        for (Result r : results) {
            String base = fileName(r.spec().name());
            written.add(Files.writeString(dir.resolve(base + "-throughput.svg"), throughputChart(r)));
            if (r.hasLatency()) {
                Path hgrm = dir.resolve(base + ".hgrm");
                try (PrintStream p = new PrintStream(Files.newOutputStream(hgrm), false, StandardCharsets.UTF_8)) {
                    r.latencyUs().outputPercentileDistribution(p, 5, 1000.0);
                }
                written.add(hgrm);
                written.add(Files.writeString(dir.resolve(base + "-latency.svg"), latencyChart(r)));
            }
        }
        return written;
    }

    static String fileName(String name) {
        return name.replaceAll("[^A-Za-z0-9._-]", "_");
    }

    /** Records/s per interval of the timeline, drawn as steps: each interval's rate held across the interval. */
    static String throughputChart(Result r) {
        List<ProgressMeter.Sample> t = r.timeline();
        double[] xs = new double[t.size() * 2];
        double[] ys = new double[t.size() * 2];
        double maxY = 0;
        double from = 0;
        for (int i = 0; i < t.size(); i++) {
            ProgressMeter.Sample sample = t.get(i);
            xs[2 * i] = from;
            xs[2 * i + 1] = sample.seconds();
            ys[2 * i] = sample.recordsPerSecond();
            ys[2 * i + 1] = sample.recordsPerSecond();
            maxY = Math.max(maxY, sample.recordsPerSecond());
            from = sample.seconds();
        }
        String subtitle = shorten(r.spec().describe()) + "\n" + String.format(Locale.ROOT,
            "%,d records in %.2f s: average %,.0f records/s, %.2f MB/s", r.records(), r.seconds(),
            r.recordsPerSecond(), r.mbPerSecond());
        return SvgChart.line(r.spec().name() + " throughput over time", subtitle,
            SvgChart.Axis.linearFromZero("time (s)", Math.max(1, from)),
            SvgChart.Axis.linearFromZero("records/s", maxY), xs, ys);
    }

    /**
     * Latency against percentile, the x axis stretched as HdrHistogram plots it: position log10(1 / (1 - p)), so
     * 90%, 99%, 99.9% ... are evenly spaced. The 100% point (the maximum) sits at the right edge.
     */
    static String latencyChart(Result r) {
        Histogram h = r.latencyUs();
        List<double[]> points = new ArrayList<>();
        double maxX = 0;
        for (HistogramIterationValue v : h.percentiles(5)) {
            double p = v.getPercentileLevelIteratedTo();
            double x = p >= 100 ? Double.POSITIVE_INFINITY : -Math.log10(1 - p / 100);
            if (Double.isFinite(x)) {
                maxX = Math.max(maxX, x);
            }
            points.add(new double[] {x, v.getValueIteratedTo() / 1000.0});
        }
        int decades = Math.max(2, (int) Math.ceil(maxX - 1e-9));
        double[] xs = new double[points.size()];
        double[] ys = new double[points.size()];
        double maxY = 0;
        for (int i = 0; i < xs.length; i++) {
            xs[i] = Double.isFinite(points.get(i)[0]) ? points.get(i)[0] : decades;
            ys[i] = points.get(i)[1];
            maxY = Math.max(maxY, ys[i]);
        }
        double[] ticks = new double[decades + 1];
        String[] labels = new String[decades + 1];
        for (int k = 0; k <= decades; k++) {
            ticks[k] = k;
            labels[k] = percentileLabel(k);
        }
        String subtitle = shorten("latency " + r.latencyWhat()) + "\n" + String.format(Locale.ROOT,
            "%,d samples: p50 %.3f ms, p99 %.3f ms, p99.9 %.3f ms, max %.3f ms", h.getTotalCount(), r.latencyMs(50),
            r.latencyMs(99), r.latencyMs(99.9), r.latencyMaxMs());
        return SvgChart.line(r.spec().name() + " latency by percentile", subtitle,
            new SvgChart.Axis("percentile", 0, decades, ticks, labels),
            SvgChart.Axis.linearFromZero("latency (ms)", maxY), xs, ys);
    }

    /** 0 -> 0%, 1 -> 90%, 2 -> 99%, 3 -> 99.9%. */
    static String percentileLabel(int decades) {
        return switch (decades) {
            case 0 -> "0%";
            case 1 -> "90%";
            case 2 -> "99%";
            default -> "99." + "9".repeat(decades - 2) + "%";
        };
    }

    private static String shorten(String s) {
        return s.length() <= 100 ? s : s.substring(0, 97) + "...";
    }
}
