package io.yak.client.producer;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.yak.client.YakException;
import io.yak.client.internal.ClientMeters;
import io.yak.wire.ErrorCode;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The producer's meters ({@code yak.producer.*}, {@code METRICS.md}): records sent per topic, batch sizes, request
 * latency, retries, failed records per error code. Counted per batch or request, never per record: the per-topic
 * counter is resolved once per partition and kept on its {@link RecordAccumulator.PartitionQueue}, an error counter
 * at the first failure with that code. Without a registry ({@link #NONE}) every method returns at once.
 *
 * <p>Threads: {@link #sent}, {@link #recordsSent} and {@link #retried} run on the sender thread (which owns the
 * queue's counter field), {@link #answered} on the event loop, {@link #failed} on the sender or an application
 * thread (a record refused by send, a batch failed by close); the meters themselves are thread-safe.
 */
final class ProducerMetrics implements AutoCloseable {
    private static final ErrorCode[] CODES = ErrorCode.values();
    /** Records nothing. Declared after {@link #CODES}, which its constructor reads. */
    static final ProducerMetrics NONE = new ProducerMetrics();

    /** Null for {@link #NONE}. */
    private final ClientMeters meters;
    private final DistributionSummary batchSize;
    private final Timer requestLatency;
    private final Counter retries;
    private final AtomicReferenceArray<Counter> errors = new AtomicReferenceArray<>(CODES.length);

    private ProducerMetrics() {
        meters = null;
        batchSize = null;
        requestLatency = null;
        retries = null;
    }

    ProducerMetrics(MeterRegistry registry, String clientId) {
        meters = new ClientMeters(registry, clientId);
        batchSize = meters.summary("yak.producer.batch.size", "bytes of each record batch sent (first send only)",
            BaseUnits.BYTES);
        requestLatency = meters.latencyTimer("yak.producer.request.latency",
            "time from sending a PUBLISH request to its answer");
        retries = meters.counter("yak.producer.retries", "batches sent again after a retriable failure");
    }

    /** Sender thread: {@code b} goes out in a PUBLISH, for the first time or again. */
    void sent(ProducerBatch b) {
        if (meters == null) {
            return;
        }
        if (b.attempts > 1) {
            retries.increment();
        } else {
            batchSize.record(b.sizeInBytes());
        }
    }

    /** Event loop: a PUBLISH sent at {@code sentNs} was answered at {@code nowNs} (same clock). */
    void answered(long sentNs, long nowNs) {
        if (meters != null) {
            requestLatency.record(nowNs - sentNs, TimeUnit.NANOSECONDS);
        }
    }

    /** Sender thread: the records of {@code b} were acknowledged (acks=0: written). */
    void recordsSent(ProducerBatch b) {
        if (meters == null) {
            return;
        }
        RecordAccumulator.PartitionQueue q = b.queue;
        Counter c = q.recordsSent;
        if (c == null) {
            // once per partition: partitions of a topic get the same counter from the registry
            c = meters.counter("yak.producer.records.sent", "records acknowledged by the broker (acks=0: written)",
                "topic", q.topic);
            q.recordsSent = c;
        }
        c.increment(b.recordCount());
    }

    /** {@code records} records failed for good with {@code e}. */
    void failed(RuntimeException e, int records) {
        if (meters == null || records <= 0) {
            return;
        }
        ErrorCode code = e instanceof YakException ye ? ye.errorCode() : ErrorCode.UNKNOWN_SERVER_ERROR;
        Counter c = errors.get(code.ordinal());
        if (c == null) {
            // two threads may both register: the registry hands both the same counter
            c = meters.counter("yak.producer.errors", "records whose send failed for good, by error code",
                "error", code.name());
            errors.set(code.ordinal(), c);
        }
        c.increment(records);
    }

    /** Removes the producer's meters from the registry. */
    @Override
    public void close() {
        if (meters != null) {
            meters.close();
        }
    }
}
