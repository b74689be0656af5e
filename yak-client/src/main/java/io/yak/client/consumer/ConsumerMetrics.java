package io.yak.client.consumer;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.yak.client.internal.ClientMeters;
import java.util.concurrent.TimeUnit;

/**
 * The consumer's meters ({@code yak.consumer.*}, {@code METRICS.md}): records consumed per topic, fetch latency, lag
 * per assigned partition. A partition's counter and lag gauge are resolved when it is assigned and kept on its
 * {@link PartitionState}, so poll counts once per partition drained, never per record, and looks nothing up. Without
 * a registry ({@link #NONE}) every method returns at once.
 *
 * <p>Threads: {@link #assigned}, {@link #unassigned} and {@link #consumed} run on the consumer's thread,
 * {@link #answered} on the event loop; the lag gauge is read by whoever reads the registry, so it may see a
 * position or high watermark a poll old (the fields are the consumer thread's, read without a lock).
 */
final class ConsumerMetrics implements AutoCloseable {
    /** Records nothing. */
    static final ConsumerMetrics NONE = new ConsumerMetrics();

    /** Null for {@link #NONE}. */
    private final ClientMeters meters;
    private final Timer fetchLatency;

    private ConsumerMetrics() {
        meters = null;
        fetchLatency = null;
    }

    ConsumerMetrics(MeterRegistry registry, String clientId) {
        meters = new ClientMeters(registry, clientId);
        fetchLatency = meters.latencyTimer("yak.consumer.fetch.latency",
            "time from sending a CONSUME request to its answer (includes the broker's wait for records, "
                + "fetch.max.wait.ms)");
    }

    /** Consumer thread: {@code s} was just assigned; resolves its topic's counter and registers its lag gauge. */
    void assigned(PartitionState s) {
        if (meters == null) {
            return;
        }
        String topic = s.tp.topic();
        s.recordsConsumed = meters.counter("yak.consumer.records.consumed", "records handed to the application by poll",
            "topic", topic);
        s.lag = meters.gauge("yak.consumer.lag", "the partition's high watermark minus the consumer's position",
            s, ConsumerMetrics::lag, "topic", topic, "partition", Integer.toString(s.tp.partition()));
    }

    /** Consumer thread: {@code s} is no longer assigned; its lag gauge goes (the topic's counter stays). */
    void unassigned(PartitionState s) {
        if (s.lag != null) {
            meters.remove(s.lag);
            s.lag = null;
        }
    }

    /** Consumer thread: poll handed {@code n} records of {@code s} to the application. */
    void consumed(PartitionState s, int n) {
        Counter c = s.recordsConsumed;
        if (c != null && n > 0) {
            c.increment(n);
        }
    }

    /** Event loop: a CONSUME sent at {@code sentNs} was answered at {@code nowNs} (same clock). */
    void answered(long sentNs, long nowNs) {
        if (meters != null) {
            fetchLatency.record(nowNs - sentNs, TimeUnit.NANOSECONDS);
        }
    }

    /**
     * Records readable but not yet returned, as {@link YakConsumer#currentLag}; NaN (no sample) until a fetch was
     * answered and while the position is unknown.
     */
    private static double lag(PartitionState s) {
        long highWatermark = s.highWatermark;
        long position = s.position;
        if (highWatermark < 0 || position < 0) {
            return Double.NaN;
        }
        return Math.max(0, highWatermark - position);
    }

    /** Removes the consumer's meters from the registry (lag gauges of partitions still assigned too). */
    @Override
    public void close() {
        if (meters != null) {
            meters.close();
        }
    }
}
