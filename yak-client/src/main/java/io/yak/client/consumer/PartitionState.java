package io.yak.client.consumer;

import io.netty.buffer.ByteBuf;
import io.yak.client.TopicPartition;

/**
 * What the consumer knows about one assigned partition. Owned by the thread calling poll; response handlers
 * run there too (queued from the event loop), so no field needs a lock.
 *
 * <p>Invariants: at most one CONSUME and one position request in flight; {@code buffered} (when non-null) is an
 * owned reference to fetched batches starting at or before {@code position}; {@code generation} changes whenever
 * the position is moved by anything but consumption, so answers to older requests are dropped.
 */
final class PartitionState {
    final TopicPartition tp;
    /** Offset of the next record to return; -1 while unknown. */
    long position = -1;
    /** Explicit reset asked for (seekToBeginning/End, out-of-range); null = committed offset, then auto reset. */
    ConsumerConfig.OffsetReset pendingReset;
    boolean committedChecked;
    boolean positionRequestInFlight;
    boolean fetchInFlight;
    int generation;
    long retryAtNs;
    boolean assigned = true;

    /** Fetched batches not yet returned (owned reference), or null. */
    ByteBuf buffered;
    /** Index of the next batch to decode in {@link #buffered}. */
    int bufferedIndex;
    /** Index of the last batch whose CRC was checked, so a partly returned batch is not checked twice. */
    int validatedIndex = -1;

    PartitionState(TopicPartition tp) {
        this.tp = tp;
    }

    void moveTo(long offset, ConsumerConfig.OffsetReset reset) {
        clearBuffered();
        position = offset;
        pendingReset = reset;
        generation++;
    }

    void clearBuffered() {
        if (buffered != null) {
            buffered.release();
            buffered = null;
        }
        bufferedIndex = 0;
        validatedIndex = -1;
    }
}
