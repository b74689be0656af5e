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
 * {@link #SAMPLES} samples. A broker's rates are the growth of each partition's counters between its last two
 * reports over the time between them (the coordinator's monotonic clock), so reports and samples need not line up,
 * and a broker restart (counters from zero) or a new leader (counters of its own) starts a new baseline instead of
 * a jump. A sample adds up the latest rates of every broker. In memory only: a restarted coordinator has figures
 * again after two report intervals.
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

    /**
     * A broker's latest report: partitions by "topic-partition", when it came, and per topic the records/s in and
     * out since its report before.
     */
    private record Report(long atMs, Map<String, PartitionStats> partitions, Map<String, float[]> topicRates) {
    }

    /** A topic's rates: ring buffers aligned with {@link #times}. */
    private static final class Series {
        final float[] in = new float[SAMPLES];
        final float[] out = new float[SAMPLES];
    }

    private final Map<Integer, Report> latest = new HashMap<>();
    private final Map<String, Series> series = new HashMap<>();
    /** Wall-clock ms of each sample, a ring: the newest at {@code (head - 1) mod SAMPLES}. */
    private final long[] times = new long[SAMPLES];
    private int head;
    private int count;

    /** Broker {@code brokerId}'s report at {@code nowMs} (monotonic): replaces its previous one and its rates. */
    public void report(int brokerId, List<PartitionStats> partitions, long nowMs) {
        Report previous = latest.get(brokerId);
        Map<String, PartitionStats> byName = new HashMap<>(partitions.size() * 2);
        Map<String, float[]> rates = new HashMap<>();
        double seconds = previous == null ? 0 : (nowMs - previous.atMs()) / 1000.0;
        for (PartitionStats p : partitions) {
            String key = p.topic() + "-" + p.partition();
            byName.put(key, p);
            PartitionStats before = previous == null ? null : previous.partitions().get(key);
            if (before != null && seconds > 0) {
                float[] r = rates.computeIfAbsent(p.topic(), t -> new float[2]);
                r[0] += (float) (Math.max(0, p.recordsIn() - before.recordsIn()) / seconds);
                r[1] += (float) (Math.max(0, p.recordsOut() - before.recordsOut()) / seconds);
            }
        }
        latest.put(brokerId, new Report(nowMs, byName, rates));
    }

    /** Forgets a broker's report (it was declared dead or is gone). */
    public void forget(int brokerId) {
        latest.remove(brokerId);
    }

    /**
     * Closes a sample at wall-clock {@code wallMs}: each topic's rate is the sum of the brokers' latest rates for it.
     * Topics not in {@code topics} (deleted) are forgotten.
     */
    public void sample(long wallMs, Set<String> topics) {
        series.keySet().retainAll(topics);
        Map<String, float[]> sum = new HashMap<>();
        for (Report r : latest.values()) {
            for (Map.Entry<String, float[]> e : r.topicRates().entrySet()) {
                if (topics.contains(e.getKey())) {
                    float[] s = sum.computeIfAbsent(e.getKey(), t -> new float[2]);
                    s[0] += e.getValue()[0];
                    s[1] += e.getValue()[1];
                }
            }
        }
        for (String topic : sum.keySet()) {
            series.computeIfAbsent(topic, t -> new Series()); // zeros: no traffic before
        }
        for (Map.Entry<String, Series> e : series.entrySet()) {
            float[] s = sum.get(e.getKey());
            e.getValue().in[head] = s == null ? 0 : s[0];
            e.getValue().out[head] = s == null ? 0 : s[1];
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
