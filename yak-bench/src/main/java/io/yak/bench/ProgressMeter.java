package io.yak.bench;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Counts a workload's records and latencies while it runs and prints one progress line per second: records so far,
 * records/s and MB/s of the last second, average and p99 latency so far. The recording methods are cheap and
 * thread-safe (adders and a wait-free HdrHistogram {@link Recorder}), so producer callbacks and consumer threads
 * call them directly; everything else (draining the recorder, the timeline, printing) happens on the
 * {@code yak-bench-progress} thread ({@link #start}) or, for a single-threaded latency loop, on the measuring thread
 * between two measurements ({@link #startOnCallerThread} and {@link #tickIfDue}), and after {@link #finish} on the
 * caller's.
 *
 * <p>Why the second way: a tick runs once a second, so its histogram walks stay interpreted and take 1-2 ms of CPU.
 * On a 2-core machine a progress thread doing that in the middle of a round trip delays the trip (seen with
 * {@code perf sched} in end-to-end runs: trips queued behind {@code yak-bench-progress}), which is the tool
 * disturbing what it measures. Between two round trips the same work delays nothing that is measured.
 *
 * <p>Latencies are in microseconds. MB means 2^20 bytes, as in Kafka's perf tools.
 */
final class ProgressMeter implements AutoCloseable {
    static final double MIB = 1024.0 * 1024.0;
    private static final long TICK_NS = TimeUnit.SECONDS.toNanos(1);
    /** A last partial interval shorter than this adds no timeline point (its rate is noise), unless none exists. */
    private static final long MIN_PARTIAL_NS = TimeUnit.MILLISECONDS.toNanos(200);

    /** Throughput in one interval of the run; {@code p99Ms} is NaN without latencies or records. */
    record Sample(double seconds, double recordsPerSecond, double mbPerSecond, double p99Ms) {
    }

    private final String label;
    private final PrintWriter out;
    private final long fixedRecordBytes;
    private final ResourceProbe probe;
    private final LongAdder records = new LongAdder();
    private final LongAdder bytes = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private final AtomicReference<Throwable> firstError = new AtomicReference<>();
    private final Recorder recorder;
    private final Histogram total;
    private final List<Sample> timeline = new ArrayList<>();
    private ScheduledExecutorService ticker;
    /** Whether the caller drives the ticks ({@link #startOnCallerThread}); then {@link #nextTickNs} is the next. */
    private boolean callerDriven;
    private long nextTickNs;
    private Histogram interval;
    private long startNs;
    private long lastTickNs;
    private long lastRecords;
    private long lastBytes;

    /**
     * @param fixedRecordBytes bytes per record when all records have one size (then {@link #completed(long)} need
     *                         not count bytes), or -1 when {@link #add} reports them
     * @param latency          whether latencies are recorded
     * @param probe            resources of an embedded node, sampled once per second; null for none
     */
    ProgressMeter(String label, PrintWriter out, long fixedRecordBytes, boolean latency, ResourceProbe probe) {
        this.label = label;
        this.out = out;
        this.fixedRecordBytes = fixedRecordBytes;
        this.probe = probe;
        this.recorder = latency ? new Recorder(3) : null;
        this.total = latency ? new Histogram(3) : null;
    }

    /** Starts the clock, the resource probe and the once-per-second progress line on its own thread. */
    void start() {
        start(System.nanoTime());
    }

    /** As {@link #start()}, with the clock started at {@code startNs} (a {@link System#nanoTime()} not in the future). */
    void start(long startNs) {
        startClock(startNs);
        ThreadFactory daemon = r -> {
            Thread t = new Thread(r, "yak-bench-progress");
            t.setDaemon(true);
            return t;
        };
        ticker = Executors.newSingleThreadScheduledExecutor(daemon);
        // Fixed delay, not fixed rate: a tick delayed past the next one (a GC pause, a starved core) must not be
        // followed by a catch-up tick microseconds later, whose rate would be noise.
        ticker.scheduleWithFixedDelay(() -> tick(System.nanoTime()), TICK_NS, TICK_NS, TimeUnit.NANOSECONDS);
    }

    /**
     * Starts the clock and the resource probe; the caller prints the progress line by calling {@link #tickIfDue}
     * between its measurements, always from the same thread.
     */
    void startOnCallerThread() {
        startClock(System.nanoTime());
        callerDriven = true;
        nextTickNs = startNs + TICK_NS;
    }

    /** On a caller-driven meter: prints the progress line when a second (or more) passed since the last one. */
    void tickIfDue(long nowNs) {
        if (!callerDriven) {
            throw new IllegalStateException("the progress line of this meter is printed by its own thread");
        }
        if (nowNs - nextTickNs >= 0) {
            tick(nowNs);
            nextTickNs += TICK_NS;
            if (nextTickNs - nowNs <= 0) { // the caller was away for more than a second: one line, not a burst
                nextTickNs = nowNs + TICK_NS;
            }
        }
    }

    private void startClock(long startNs) {
        if (probe != null) {
            probe.start();
        }
        this.startNs = startNs;
        lastTickNs = startNs;
    }

    long startNs() {
        return startNs;
    }

    /** A record that took from {@code sentNs} (System.nanoTime) until now. Any thread. */
    void completed(long sentNs) {
        recorder.recordValue(Math.max(0, (System.nanoTime() - sentNs) / 1000));
        records.increment();
    }

    /** A latency measured by the caller, for one record. Any thread. */
    void completedWithLatencyUs(long latencyUs) {
        recorder.recordValue(Math.max(0, latencyUs));
        records.increment();
    }

    /** Records (and their bytes, when they vary) without latency. Any thread. */
    void add(long n, long byteCount) {
        records.add(n);
        bytes.add(byteCount);
    }

    void failed(Throwable e) {
        failed.increment();
        firstError.compareAndSet(null, e);
    }

    long records() {
        return records.sum();
    }

    long failedCount() {
        return failed.sum();
    }

    Throwable firstError() {
        return firstError.get();
    }

    long bytes() {
        return fixedRecordBytes >= 0 ? records.sum() * fixedRecordBytes : bytes.sum();
    }

    private void tick(long now) {
        Sample s = sample(now);
        if (probe != null) {
            probe.sample();
        }
        StringBuilder line = new StringBuilder(160);
        line.append(String.format(Locale.ROOT, "%-8s %6.1f s %,14d records %,12.0f records/s %9.2f MB/s", label,
            (now - startNs) / 1e9, lastRecords, s.recordsPerSecond(), s.mbPerSecond()));
        if (total != null && total.getTotalCount() > 0) {
            line.append(String.format(Locale.ROOT, "   latency avg %.3f ms, p99 %.3f ms", total.getMean() / 1000.0,
                total.getValueAtPercentile(99.0) / 1000.0));
        }
        out.println(line);
        out.flush();
    }

    /** Drains the interval since the last tick into the totals and returns (and keeps) its sample. */
    private Sample sample(long now) {
        long n = records.sum();
        long b = fixedRecordBytes >= 0 ? n * fixedRecordBytes : bytes.sum();
        double p99Ms = Double.NaN;
        if (recorder != null) {
            interval = recorder.getIntervalHistogram(interval);
            total.add(interval);
            if (interval.getTotalCount() > 0) {
                p99Ms = interval.getValueAtPercentile(99.0) / 1000.0;
            }
        }
        double seconds = (now - lastTickNs) / 1e9;
        Sample s = new Sample((now - startNs) / 1e9, seconds > 0 ? (n - lastRecords) / seconds : 0,
            seconds > 0 ? (b - lastBytes) / seconds / MIB : 0, p99Ms);
        timeline.add(s);
        lastTickNs = now;
        lastRecords = n;
        lastBytes = b;
        return s;
    }

    /**
     * Stops the progress line and drains what was recorded since the last one. Call once, after the last record
     * completed; {@code endNs} ends the last interval.
     */
    void finish(long endNs) throws InterruptedException {
        if (ticker != null) {
            ticker.shutdown();
            if (!ticker.awaitTermination(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("progress thread did not stop");
            }
        }
        long partialNs = Math.max(endNs, lastTickNs) - lastTickNs;
        int before = timeline.size();
        sample(Math.max(endNs, lastTickNs));
        if (partialNs < MIN_PARTIAL_NS && before > 0) {
            timeline.remove(timeline.size() - 1);
        }
    }

    /** Stops the progress line and the probe if a failure skipped {@link #finish}; idempotent. */
    @Override
    public void close() {
        if (ticker != null) {
            ticker.shutdownNow();
        }
        if (probe != null) {
            probe.close();
        }
    }

    /** All latencies of the run (after {@link #finish}); null without latency. */
    Histogram latencyUs() {
        return total;
    }

    List<Sample> timeline() {
        return List.copyOf(timeline);
    }
}
