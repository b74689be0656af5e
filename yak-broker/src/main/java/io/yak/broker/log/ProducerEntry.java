package io.yak.broker.log;

import static io.yak.broker.log.ProducerStateLayout.MAX_BATCHES;

/**
 * What a partition remembers of one idempotent producer: its epoch, when it last wrote, and the sequence and offset
 * ranges of its last {@link ProducerStateLayout#MAX_BATCHES} batches (oldest first), so a retry of any batch a
 * producer may still have in flight is recognised. Mutable, owned by its {@link ProducerStateManager}.
 */
final class ProducerEntry {
    final long producerId;
    short epoch;
    long lastTimestampMs;
    int batchCount;
    final int[] firstSequence = new int[MAX_BATCHES];
    final int[] lastSequence = new int[MAX_BATCHES];
    final long[] firstOffset = new long[MAX_BATCHES];
    final int[] lastOffsetDelta = new int[MAX_BATCHES];

    ProducerEntry(long producerId, short epoch) {
        this.producerId = producerId;
        this.epoch = epoch;
    }

    /** Records a stored batch; a newer epoch forgets the batches of the older one. Allocation-free. */
    void add(short batchEpoch, int first, int last, long offset, int offsetDelta, long timestampMs) {
        if (batchEpoch != epoch) {
            epoch = batchEpoch;
            batchCount = 0;
        }
        if (batchCount == MAX_BATCHES) {
            System.arraycopy(firstSequence, 1, firstSequence, 0, MAX_BATCHES - 1);
            System.arraycopy(lastSequence, 1, lastSequence, 0, MAX_BATCHES - 1);
            System.arraycopy(firstOffset, 1, firstOffset, 0, MAX_BATCHES - 1);
            System.arraycopy(lastOffsetDelta, 1, lastOffsetDelta, 0, MAX_BATCHES - 1);
            batchCount--;
        }
        firstSequence[batchCount] = first;
        lastSequence[batchCount] = last;
        firstOffset[batchCount] = offset;
        lastOffsetDelta[batchCount] = offsetDelta;
        batchCount++;
        lastTimestampMs = Math.max(lastTimestampMs, timestampMs);
    }

    /** The remembered batch with exactly this sequence range, or -1. */
    int find(int first, int last) {
        for (int i = batchCount - 1; i >= 0; i--) {
            if (firstSequence[i] == first && lastSequence[i] == last) {
                return i;
            }
        }
        return -1;
    }

    /** Last sequence of the newest batch; only when {@code batchCount > 0}. */
    int lastSequence() {
        return lastSequence[batchCount - 1];
    }
}
