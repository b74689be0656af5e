package io.yak.bench;

import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import org.HdrHistogram.Histogram;

/** Renders results: the lines printed after a workload, the Markdown table, the JSON document. */
final class Summaries {
    static final String UNITS_NOTE = "Latency in ms from an HdrHistogram (microsecond values, 3 significant digits). "
        + "MB = 2^20 bytes, as Kafka's perf tools count. CPU = average cores busy (CPU time / wall time).";
    static final String EMBEDDED_NOTE = "Embedded node: it shares this JVM with the clients. Server CPU counts the "
        + "broker and coordinator threads only; process CPU, heap and GC include the clients.";

    private Summaries() {
    }

    /** The lines that close one workload's output. */
    static void print(Result r, PrintWriter out) {
        out.printf(Locale.ROOT, "%s result: %,d records in %.3f s: %,.0f records/s, %.2f MB/s%s%n", r.spec().name(),
            r.records(), r.seconds(), r.recordsPerSecond(), r.mbPerSecond(),
            r.spec().kind() == WorkloadSpec.Kind.PRODUCE ? String.format(Locale.ROOT, ", %,d failed", r.failed()) : "");
        if (r.hasLatency()) {
            out.printf(Locale.ROOT,
                "%s latency ms (%s): avg %.3f, p50 %.3f, p95 %.3f, p99 %.3f, p99.9 %.3f, max %.3f%n", r.spec().name(),
                r.latencyWhat(), r.latencyAvgMs(), r.latencyMs(50), r.latencyMs(95), r.latencyMs(99),
                r.latencyMs(99.9), r.latencyMaxMs());
        }
        ResourceUsage u = r.resources();
        if (u != null) {
            out.printf(Locale.ROOT, "%s embedded node (same JVM as the clients): server threads %.2f s CPU "
                    + "(%.2f cores), client threads %.2f s CPU, process %.2f s CPU (%.2f of %d cores); "
                    + "heap used %,d MiB at end, peak %,d MiB (max %,d MiB); GC %d collections, %d ms; JIT %d ms%n",
                r.spec().name(), u.serverCpuNs() / 1e9, ResourceUsage.cores(u.serverCpuNs(), u.wallNs()),
                u.clientCpuNs() / 1e9,
                u.processCpuNs() / 1e9, ResourceUsage.cores(u.processCpuNs(), u.wallNs()), u.cores(),
                u.heapUsedEndBytes() >> 20, u.heapUsedPeakBytes() >> 20, u.heapMaxBytes() >> 20, u.gcCount(),
                u.gcTimeMs(), u.jitMs());
        } else {
            out.printf("%s broker resources: not measured here (remote cluster: measure on the broker's host)%n",
                r.spec().name());
        }
        if (!r.ok()) {
            out.printf("%s FAILED: %s%n", r.spec().name(), r.problem());
        }
        out.flush();
    }

    /** The workload list and one table row per result. */
    static String markdown(List<Result> results) {
        StringBuilder s = new StringBuilder();
        for (Result r : results) {
            s.append("- ").append(r.spec().describe()).append('\n');
        }
        s.append('\n');
        s.append("| workload | kind | records | records/s | MB/s | avg ms | p50 ms | p95 ms | p99 ms | p99.9 ms "
            + "| max ms | server CPU | process CPU | heap peak MiB | status |\n");
        s.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
        boolean embedded = false;
        for (Result r : results) {
            ResourceUsage u = r.resources();
            embedded |= u != null;
            s.append(String.format(Locale.ROOT, "| %s | %s | %,d | %,.0f | %.2f | %s | %s | %s | %s | %s | %s | %s "
                    + "| %s | %s | %s |%n", r.spec().name(), r.spec().kind().label(), r.records(), r.recordsPerSecond(),
                r.mbPerSecond(), ms(r.latencyAvgMs()), ms(r.latencyMs(50)), ms(r.latencyMs(95)), ms(r.latencyMs(99)),
                ms(r.latencyMs(99.9)), ms(r.latencyMaxMs()),
                u == null ? "-" : String.format(Locale.ROOT, "%.2f", ResourceUsage.cores(u.serverCpuNs(), u.wallNs())),
                u == null ? "-" : String.format(Locale.ROOT, "%.2f", ResourceUsage.cores(u.processCpuNs(), u.wallNs())),
                u == null ? "-" : String.format(Locale.ROOT, "%,d", u.heapUsedPeakBytes() >> 20),
                r.ok() ? "ok" : "FAILED: " + r.problem().replace('|', '/')));
        }
        s.append('\n').append(UNITS_NOTE).append('\n');
        if (embedded) {
            s.append(EMBEDDED_NOTE).append('\n');
        }
        return s.toString();
    }

    private static String ms(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.3f", v);
    }

    static String json(RunInfo info, List<Result> results) {
        JsonWriter j = new JsonWriter().beginObject()
            .field("tool", "yak-bench")
            .field("formatVersion", 1)
            .field("command", info.command())
            .field("startedAt", info.startedAt());
        j.name("target").beginObject()
            .field("mode", info.embedded() ? "embedded" : "remote")
            .field("coordinator", info.bootstrap());
        if (info.embedded()) {
            j.field("note", EMBEDDED_NOTE);
        }
        j.endObject();
        j.name("host").beginObject()
            .field("cores", Runtime.getRuntime().availableProcessors())
            .field("javaVersion", System.getProperty("java.version"))
            .field("maxHeapBytes", Runtime.getRuntime().maxMemory())
            .endObject();
        j.field("units", "latencyUs in microseconds (HdrHistogram, 3 significant digits); MB = 2^20 bytes, as "
            + "Kafka's perf tools count; cores = CPU time / wall time");
        j.name("results").beginArray();
        for (Result r : results) {
            result(j, r);
        }
        j.endArray();
        j.field("ok", results.stream().allMatch(Result::ok));
        return j.endObject().toJson();
    }

    private static void result(JsonWriter j, Result r) {
        WorkloadSpec s = r.spec();
        ClientSettings c = s.client();
        j.beginObject()
            .field("name", s.name())
            .field("kind", s.kind().label())
            .field("description", s.describe())
            .field("topic", s.topic())
            .field("partitions", s.partitions())
            .field("recordSize", s.recordSize())
            .field("recordsRequested", s.records())
            .field("throughputCap", s.throughput())
            .field("producers", s.producers())
            .field("consumers", s.consumers())
            .field("acks", c.acks())
            .field("batchSize", c.batchSize())
            .field("lingerMs", c.lingerMs())
            .field("warmupRecords", c.warmupRecords())
            .field("records", r.records())
            .field("failed", r.failed())
            .field("bytes", r.bytes())
            .field("elapsedSeconds", r.seconds())
            .field("recordsPerSecond", r.recordsPerSecond())
            .field("mbPerSecond", r.mbPerSecond())
            .field("ok", r.ok())
            .field("problem", r.problem());
        j.name("latencyUs");
        if (r.hasLatency()) {
            Histogram h = r.latencyUs();
            j.beginObject()
                .field("what", r.latencyWhat())
                .field("coordinatedOmissionCorrected", s.kind() == WorkloadSpec.Kind.PRODUCE && s.capped())
                .field("count", h.getTotalCount())
                .field("avg", h.getMean())
                .field("p50", h.getValueAtPercentile(50))
                .field("p95", h.getValueAtPercentile(95))
                .field("p99", h.getValueAtPercentile(99))
                .field("p999", h.getValueAtPercentile(99.9))
                .field("max", h.getMaxValue())
                .endObject();
        } else {
            j.nullValue();
        }
        j.name("resources");
        ResourceUsage u = r.resources();
        if (u == null) {
            j.nullValue();
        } else {
            j.beginObject()
                .field("sameJvmAsClients", true)
                .field("wallSeconds", u.wallNs() / 1e9)
                .field("serverThreadsCpuSeconds", u.serverCpuNs() / 1e9)
                .field("serverThreadsCores", ResourceUsage.cores(u.serverCpuNs(), u.wallNs()))
                .field("clientThreadsCpuSeconds", u.clientCpuNs() / 1e9)
                .field("processCpuSeconds", u.processCpuNs() / 1e9)
                .field("processCores", ResourceUsage.cores(u.processCpuNs(), u.wallNs()))
                .field("cores", u.cores())
                .field("heapUsedEndBytes", u.heapUsedEndBytes())
                .field("heapUsedPeakBytes", u.heapUsedPeakBytes())
                .field("heapMaxBytes", u.heapMaxBytes())
                .field("gcCount", u.gcCount())
                .field("gcMillis", u.gcTimeMs())
                .field("jitMillis", u.jitMs())
                .endObject();
        }
        j.name("timeline").beginArray();
        for (ProgressMeter.Sample p : r.timeline()) {
            j.beginObject()
                .field("seconds", p.seconds())
                .field("recordsPerSecond", p.recordsPerSecond())
                .field("mbPerSecond", p.mbPerSecond())
                .field("p99Ms", p.p99Ms())
                .endObject();
        }
        j.endArray();
        j.endObject();
    }
}
