package io.yak.client.producer;

import io.netty.buffer.ByteBuf;
import io.yak.client.RecordMetadata;
import io.yak.wire.record.RecordBatchBuilder;
import io.yak.wire.record.RecordBatchLayout;
import java.util.ArrayList;
import java.util.concurrent.CompletableFuture;

/**
 * One record batch of one partition, from its first record to its acknowledgement. While open, records are
 * copied into {@link #buffer} by a pooled {@link RecordBatchBuilder} under the partition queue's lock; once
 * sealed the bytes never change and every attempt sends a retained duplicate of them. The batch owns
 * {@code buffer} and {@code reservedBytes} of {@code buffer.memory} until {@link #release}.
 *
 * <p>Record {@code i} of the batch gets offset {@code baseOffset + i}.
 */
final class ProducerBatch {
    final RecordAccumulator.PartitionQueue queue;
    final ByteBuf buffer;
    final int reservedBytes;
    final long createdNs;
    final long baseTimestamp;
    private final ArrayList<RecordFuture> futures = new ArrayList<>();
    /** Completed when the batch is acknowledged or failed; flush() waits on it. */
    final CompletableFuture<Void> done = new CompletableFuture<>();

    /** Non-null while records may be appended; guarded by the queue's lock. */
    private RecordBatchBuilder builder;
    /** No more appends (full, or sealed); guarded by the queue's lock. */
    private boolean closed;
    private int sizeInBytes;

    /** Creation order within the partition; a retried batch goes back in this order. */
    final long sequence;

    // Owned by the sender thread.
    int attempts;
    long retryAtNs;
    Object sentTo;

    ProducerBatch(RecordAccumulator.PartitionQueue queue, ByteBuf buffer, int reservedBytes, RecordBatchBuilder builder,
                  long createdNs, long baseTimestamp) {
        this.queue = queue;
        this.sequence = queue.nextSequence++;
        this.buffer = buffer;
        this.reservedBytes = reservedBytes;
        this.createdNs = createdNs;
        this.baseTimestamp = baseTimestamp;
        this.builder = builder.begin(buffer, baseTimestamp, RecordBatchLayout.NO_PRODUCER_ID,
            RecordBatchLayout.NO_PRODUCER_EPOCH, RecordBatchLayout.NO_SEQUENCE);
    }

    /**
     * Appends a record if it fits in the reserved bytes; otherwise closes the batch for appends.
     *
     * @return false when the batch is closed or the record does not fit
     */
    boolean tryAppend(long timestamp, byte[] key, byte[] value, RecordFuture future) {
        if (closed) {
            return false;
        }
        int size = RecordBatchBuilder.recordSize(builder.recordCount(), timestamp - baseTimestamp,
            key == null ? -1 : key.length, value == null ? -1 : value.length);
        if (builder.sizeInBytes() + size > reservedBytes) {
            closed = true;
            return false;
        }
        builder.append(timestamp, key, value);
        future.timestamp = timestamp;
        futures.add(future);
        return true;
    }

    /** True once appends are refused or no more bytes than {@code batchSize} remain to fill. */
    boolean isFull(int batchSize) {
        return closed || builder == null || builder.sizeInBytes() >= batchSize;
    }

    /** Writes the batch header and CRC; returns the builder for reuse. Caller holds the queue's lock. */
    RecordBatchBuilder seal() {
        RecordBatchBuilder b = builder;
        if (b == null) {
            return null;
        }
        sizeInBytes = b.finish();
        builder = null;
        closed = true;
        return b;
    }

    boolean sealed() {
        return builder == null;
    }

    int recordCount() {
        return futures.size();
    }

    int sizeInBytes() {
        return sizeInBytes;
    }

    String topic() {
        return queue.topic;
    }

    int partition() {
        return queue.partition;
    }

    /** Completes every record's future; {@code baseOffset} -1 (acks=0) gives every record offset -1. */
    void complete(long baseOffset) {
        String topic = queue.topic;
        int partition = queue.partition;
        for (int i = 0, n = futures.size(); i < n; i++) {
            RecordFuture f = futures.get(i);
            f.complete(new RecordMetadata(topic, partition, baseOffset < 0 ? -1 : baseOffset + i, f.timestamp));
        }
    }

    void fail(RuntimeException e) {
        for (int i = 0, n = futures.size(); i < n; i++) {
            futures.get(i).completeExceptionally(e);
        }
    }

    @Override
    public String toString() {
        return queue.topic + "-" + queue.partition + "[" + futures.size() + " records, attempt " + attempts + "]";
    }
}
