package io.yak.bench;

import java.util.List;
import org.HdrHistogram.Histogram;

/**
 * The outcome of one workload.
 *
 * @param spec         what ran
 * @param records      records acknowledged (produce), read (consume) or round trips completed (e2e) while measuring
 * @param failed       records whose send failed
 * @param bytes        value bytes of {@code records}
 * @param elapsedNs    measured time: first send (or poll) to last acknowledgement (or record)
 * @param latencyUs    latency distribution in microseconds; null when the workload has none (consume)
 * @param latencyWhat  what the latency spans, for the reader of the summary
 * @param timeline     throughput per second
 * @param resources    the embedded node's resources; null for a remote cluster
 * @param problem      why the run does not count (records missing or failed), or null
 */
record Result(WorkloadSpec spec, long records, long failed, long bytes, long elapsedNs, Histogram latencyUs,
              String latencyWhat, List<ProgressMeter.Sample> timeline, ResourceUsage resources, String problem) {
    Result {
        timeline = List.copyOf(timeline);
    }

    boolean ok() {
        return problem == null;
    }

    double seconds() {
        return elapsedNs / 1e9;
    }

    double recordsPerSecond() {
        return elapsedNs <= 0 ? 0 : records / seconds();
    }

    /** MB = 2^20 bytes, as Kafka's perf tools count. */
    double mbPerSecond() {
        return elapsedNs <= 0 ? 0 : bytes / ProgressMeter.MIB / seconds();
    }

    boolean hasLatency() {
        return latencyUs != null && latencyUs.getTotalCount() > 0;
    }

    /** Latency at a percentile in milliseconds, NaN without latencies. */
    double latencyMs(double percentile) {
        return hasLatency() ? latencyUs.getValueAtPercentile(percentile) / 1000.0 : Double.NaN;
    }

    double latencyAvgMs() {
        return hasLatency() ? latencyUs.getMean() / 1000.0 : Double.NaN;
    }

    double latencyMaxMs() {
        return hasLatency() ? latencyUs.getMaxValue() / 1000.0 : Double.NaN;
    }
}
