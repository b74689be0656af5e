package io.yak.coordinator.console;

import io.yak.wire.message.PartitionStats;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What brokers report of the partitions they lead ({@code BROKER_STATS_REQUEST}): the latest report of each broker,
 * and per topic the records per second appended and sent to consumers, one sample per {@link #sample} over the last
 * {@link #SAMPLES} samples. Rates come from the growth of each (broker, partition) counter between two reports, so a
 * broker restart (counters from zero) or a new leader (counters of its own) starts a new baseline instead of a jump.
 * In memory only: a restarted coordinator has figures again after one report interval.
 *
 * <p>State thread only.
 */
public final class BrokerReports {
    /** How often the coordinator closes a sample (as often as brokers report by default). */
    public static final long SAMPLE_INTERVAL_MS = 2000;
    /** Samples kept per topic: the last six minutes. */
    public static final int SAMPLES = 180;
    /** A broker that has not reported for this long is dropped from the figures (stopped, or dead). */
    public static final long REPORT_MAX_AGE_MS = 5 * SAMPLE_INTERVAL_MS;

    /** A broker's latest report: partitions by "topic-partition", and when it came (the coordinator's clock). */
    private record Report(long atMs, Map<String, PartitionStats> partitions) {
    }

    /** A topic's rates: ring buffers aligned with {@link #times}; records counted since the last sample. */
    private static final class Series {
        final float[] in = new float[SAMPLES];
        final float[] out = new float[SAMPLES];
        long pendingIn;
        long pendingOut;
    }

    private final Map<Integer, Report> latest = new HashMap<>();
    private final Map<String, Series> series = new HashMap<>();
    /** Wall-clock ms of each sample, a ring: the newest at {@code (head - 1) mod SAMPLES}. */
    private final long[] times = new long[SAMPLES];
    private int head;
    private int count;
    private long lastSampleMs = -1;

    /** Broker {@code brokerId}'s report at {@code nowMs}: replaces its previous one, adds what grew to the rates. */
    public void report(int brokerId, List<PartitionStats> partitions, long nowMs) {
        Report previous = latest.get(brokerId);
        Map<String, PartitionStats> byName = new HashMap<>(partitions.size() * 2);
        for (PartitionStats p : partitions) {
            String key = p.topic() + "-" + p.partition();
            byName.put(key, p);
            PartitionStats before = previous == null ? null : previous.partitions().get(key);
            if (before != null) {
                Series s = series.computeIfAbsent(p.topic(), t -> new Series()); // zeros: no traffic before
                s.pendingIn += Math.max(0, p.recordsIn() - before.recordsIn());
                s.pendingOut += Math.max(0, p.recordsOut() - before.recordsOut());
            }
        }
        latest.put(brokerId, new Report(nowMs, byName));
    }

    /** Forgets a broker's report (it was declared dead or is gone). */
    public void forget(int brokerId) {
        latest.remove(brokerId);
    }

    /**
     * Closes the current sample at wall-clock {@code wallMs}: each topic's rate is what its partitions grew by since
     * the previous sample, per second. Topics not in {@code topics} (deleted) are forgotten.
     */
    public void sample(long wallMs, Set<String> topics) {
        series.keySet().retainAll(topics);
        // the first sample closes what came since start, counted over one nominal interval
        double seconds = (lastSampleMs < 0 ? SAMPLE_INTERVAL_MS : Math.max(1, wallMs - lastSampleMs)) / 1000.0;
        lastSampleMs = wallMs;
        for (Series s : series.values()) {
            s.in[head] = (float) (s.pendingIn / seconds);
            s.out[head] = (float) (s.pendingOut / seconds);
            s.pendingIn = 0;
            s.pendingOut = 0;
        }
        times[head] = wallMs;
        head = (head + 1) % SAMPLES;
        count = Math.min(SAMPLES, count + 1);
    }

    /** The latest stats of a partition from broker {@code leader}'s report, or null. */
    public PartitionStats stats(int leader, String topic, int partition) {
        Report r = latest.get(leader);
        return r == null ? null : r.partitions().get(topic + "-" + partition);
    }

    /** When broker {@code brokerId} last reported (the coordinator's clock), or -1. */
    public long lastReportMs(int brokerId) {
        Report r = latest.get(brokerId);
        return r == null ? -1 : r.atMs();
    }

    /** The sample times, oldest first. */
    public List<Long> sampleTimes() {
        List<Long> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            out.add(times[(head - count + i + SAMPLES) % SAMPLES]);
        }
        return out;
    }

    /** A topic's rates in records/s, oldest first, aligned with {@link #sampleTimes}; {@code in} or out. */
    public float[] rates(String topic, boolean in) {
        Series s = series.get(topic);
        float[] out = new float[count];
        if (s != null) {
            float[] ring = in ? s.in : s.out;
            for (int i = 0; i < count; i++) {
                out[i] = ring[(head - count + i + SAMPLES) % SAMPLES];
            }
        }
        return out;
    }

    /** Topics with a rate series, for tests. */
    Set<String> topicsWithRates() {
        return series.keySet();
    }

    /** Drops brokers whose last report is older than {@code maxAgeMs} (they stopped reporting). */
    public void expire(long nowMs, long maxAgeMs) {
        for (Iterator<Report> it = latest.values().iterator(); it.hasNext(); ) {
            if (nowMs - it.next().atMs() > maxAgeMs) {
                it.remove();
            }
        }
    }
}
