package io.yak.bench;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Measurement;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Timer;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.StringJoiner;
import java.util.concurrent.TimeUnit;

/**
 * Renders the meters the measured clients recorded ({@code --client-metrics}, {@code METRICS.md} "Clients"): one
 * line per meter, sorted by name and tags, with what fits its type. Micrometer's {@code max} is the largest value of
 * the last two minutes or so (it decays), not necessarily of the whole run; count, total and mean cover the run.
 */
final class ClientMeterReport {
    private ClientMeterReport() {
    }

    /** Prints the meters under a heading naming the workload; nothing when the registry holds none. */
    static void print(String workload, MeterRegistry registry, PrintWriter out) {
        List<String> lines = lines(registry);
        if (lines.isEmpty()) {
            return;
        }
        out.printf("%s client meters (--client-metrics):%n", workload);
        for (String line : lines) {
            out.println("  " + line);
        }
        out.flush();
    }

    /** {@code name{tag=value, ...}: values}, sorted. */
    static List<String> lines(MeterRegistry registry) {
        List<String> lines = new ArrayList<>();
        for (Meter m : registry.getMeters()) {
            lines.add(describe(m.getId()) + ": " + values(m));
        }
        lines.sort(null);
        return lines;
    }

    private static String describe(Meter.Id id) {
        StringJoiner tags = new StringJoiner(", ", "{", "}").setEmptyValue("");
        for (Tag t : id.getTagsAsIterable()) {
            tags.add(t.getKey() + "=" + t.getValue());
        }
        return id.getName() + tags;
    }

    private static String values(Meter m) {
        if (m instanceof Counter c) {
            return String.format(Locale.ROOT, "count %,.0f", c.count());
        }
        if (m instanceof Gauge g) {
            double v = g.value();
            return Double.isNaN(v) ? "value NaN (not known yet)" : String.format(Locale.ROOT, "value %,.0f", v);
        }
        if (m instanceof Timer t) {
            return String.format(Locale.ROOT, "count %,d, total %.3f s, mean %.3f ms, max %.3f ms", t.count(),
                t.totalTime(TimeUnit.SECONDS), t.mean(TimeUnit.MILLISECONDS), t.max(TimeUnit.MILLISECONDS));
        }
        if (m instanceof DistributionSummary s) {
            String unit = s.getId().getBaseUnit() == null ? "" : " " + s.getId().getBaseUnit();
            return String.format(Locale.ROOT, "count %,d, total %,.0f%s, mean %,.1f%s, max %,.0f%s", s.count(),
                s.totalAmount(), unit, s.mean(), unit, s.max(), unit);
        }
        StringJoiner measured = new StringJoiner(", ");
        for (Measurement x : m.measure()) {
            measured.add(x.getStatistic().getTagValueRepresentation() + " " + x.getValue());
        }
        return measured.toString();
    }
}
