package io.yak.client.producer;

import io.netty.buffer.ByteBuf;
import io.yak.client.RecordMetadata;
import io.yak.client.YakException;
import io.yak.wire.ErrorCode;
import io.yak.wire.log.LogText;
import io.yak.wire.record.RecordBatchBuilder;
import io.yak.wire.record.RecordBatchFlyweight;
import io.yak.wire.record.RecordBatchLayout;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One record batch of one partition, from its first record to its acknowledgement. While open, records are
 * copied into {@link #buffer} by a pooled {@link RecordBatchBuilder} under the partition queue's lock; once
 * sealed the bytes never change and every attempt sends a retained duplicate of them. The batch owns
 * {@code buffer} and {@code reservedBytes} of {@code buffer.memory} until {@link #release}.
 *
 * <p>Record {@code i} of the batch gets offset {@code baseOffset + i}. Who is told its outcome is kept in three
 * parallel arrays (a {@link RecordFuture} or a {@link SendCallback}, the callback's token, the timestamp), grown by
 * doubling: a record sent with a callback costs no object of its own.
 */
final class ProducerBatch {
    private static final Logger LOG = LoggerFactory.getLogger(ProducerBatch.class);
    private static final int INITIAL_RECORDS = 16;

    final RecordAccumulator.PartitionQueue queue;
    final ByteBuf buffer;
    final int reservedBytes;
    final long createdNs;
    final long baseTimestamp;
    /** Per record: a {@link RecordFuture} or a {@link SendCallback}; guarded by the queue's lock until sealed. */
    private Object[] sinks = new Object[INITIAL_RECORDS];
    private long[] tokens = new long[INITIAL_RECORDS];
    private long[] timestamps = new long[INITIAL_RECORDS];
    private int count;
    /** Completed when the batch is acknowledged or failed; flush() waits on it. */
    final CompletableFuture<Void> done = new CompletableFuture<>();

    /** Non-null while records may be appended; guarded by the queue's lock. */
    private RecordBatchBuilder builder;
    /** No more appends (full, or sealed); guarded by the queue's lock. */
    private boolean closed;
    private int sizeInBytes;

    /** Creation order within the partition; a retried batch goes back in this order. */
    final long sequence;
    /** Buffer index of the batch header. */
    private final int start;
    /**
     * Idempotence: the producer sequence of the first record, counted without wrapping (the wire carries it modulo
     * 2^31), from the first send on; -1 before, and always without idempotence. Guarded by the queue's lock.
     */
    long firstSequence = -1;

    // Owned by the sender thread.
    /** Sent in the same PUBLISH as the batch before it in the drained list (set by the accumulator's drain). */
    boolean joinsRequest;
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
        this.start = buffer.writerIndex();
        this.builder = builder.begin(buffer, baseTimestamp, RecordBatchLayout.NO_PRODUCER_ID,
            RecordBatchLayout.NO_PRODUCER_EPOCH, RecordBatchLayout.NO_SEQUENCE);
    }

    /**
     * Appends a record if it fits in the reserved bytes; otherwise closes the batch for appends.
     *
     * @return false when the batch is closed or the record does not fit
     */
    boolean tryAppend(long timestamp, byte[] key, byte[] value, Object sink, long token) {
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
        if (count == sinks.length) {
            int n = count * 2;
            sinks = Arrays.copyOf(sinks, n);
            tokens = Arrays.copyOf(tokens, n);
            timestamps = Arrays.copyOf(timestamps, n);
        }
        sinks[count] = sink;
        tokens[count] = token;
        timestamps[count] = timestamp;
        count++;
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

    /**
     * Idempotence: writes the producer id, epoch and base sequence into the header; before {@link #seal} they are
     * covered by the CRC32C it computes, after it (a reset of the partition's sequences) the CRC32C is recomputed.
     * Caller holds the queue's lock, on the sender thread.
     */
    void stamp(long producerId, short producerEpoch, long sequence) {
        firstSequence = sequence;
        buffer.setLong(start + RecordBatchLayout.PRODUCER_ID_OFFSET, producerId);
        buffer.setShort(start + RecordBatchLayout.PRODUCER_EPOCH_OFFSET, producerEpoch);
        buffer.setInt(start + RecordBatchLayout.BASE_SEQUENCE_OFFSET, wireSequence(sequence));
        if (builder == null) {
            buffer.setInt(start + RecordBatchLayout.CRC_OFFSET,
                new RecordBatchFlyweight().wrap(buffer, start, start + sizeInBytes).computeCrc());
        }
    }

    /** As Kafka numbers them: after {@code Integer.MAX_VALUE} comes 0. */
    static int wireSequence(long sequence) {
        return (int) (sequence & Integer.MAX_VALUE);
    }

    /** Bytes the batch takes once sealed (sealing adds none). */
    int currentSize() {
        RecordBatchBuilder b = builder;
        return b == null ? sizeInBytes : b.sizeInBytes();
    }

    boolean sealed() {
        return builder == null;
    }

    int recordCount() {
        return count;
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

    /** Tells every record its offset; {@code baseOffset} -1 (acks=0) gives every record offset -1. */
    void complete(long baseOffset) {
        String topic = queue.topic;
        int partition = queue.partition;
        for (int i = 0; i < count; i++) {
            long offset = baseOffset < 0 ? -1 : baseOffset + i;
            Object sink = sinks[i];
            if (sink instanceof RecordFuture f) {
                f.complete(new RecordMetadata(topic, partition, offset, timestamps[i]));
            } else {
                call((SendCallback) sink, i, offset, null);
            }
        }
    }

    void fail(RuntimeException e) {
        YakException error = e instanceof YakException ye ? ye
            : new YakException(ErrorCode.UNKNOWN_SERVER_ERROR, e.toString(), e);
        for (int i = 0; i < count; i++) {
            Object sink = sinks[i];
            if (sink instanceof RecordFuture f) {
                f.completeExceptionally(e);
            } else {
                call((SendCallback) sink, i, -1, error);
            }
        }
    }

    private void call(SendCallback callback, int i, long offset, YakException error) {
        try {
            callback.onCompletion(tokens[i], queue.topic, queue.partition, offset, timestamps[i], error);
        } catch (VirtualMachineError e) {
            throw e;
        } catch (Throwable t) { // an AssertionError in a callback too: the other records must still be told
            LOG.error("send callback for {}-{} at offset {} threw; the other records are still told",
                LogText.safe(queue.topic), queue.partition, offset, t);
        }
    }

    /** For log lines: the topic escaped ({@link LogText}). */
    @Override
    public String toString() {
        return LogText.safe(queue.topic) + "-" + queue.partition + "[" + count + " records, attempt " + attempts
            + (firstSequence < 0 ? "" : ", sequence " + wireSequence(firstSequence)) + "]";
    }
}
