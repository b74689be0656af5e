package io.yak.broker.log;

import static io.yak.broker.log.ProducerStateLayout.MAX_BATCHES;

/**
 * What a partition remembers of one idempotent producer: its epoch, when it last wrote, and the sequence and offset
 * ranges of its last {@link ProducerStateLayout#MAX_BATCHES} runs (oldest first), so a retry of any batch a producer
 * may still have in flight is recognised. A run is one batch, or several that follow each other in both sequences
 * and offsets (the batches of one request, or of a producer writing alone): a producer's request, however many
 * batches it carries, takes one entry, so its at most 5 unanswered requests always fit. Mutable, owned by its
 * {@link ProducerStateManager}.
 */
final class ProducerEntry {
    /** {@link #storedOffset}: no run holds the first sequence. */
    static final long NOT_STORED = -1;
    /** {@link #storedOffset}: a run holds the first sequence but not the whole batch. */
    static final long OVERLAP = -2;

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

    /**
     * Records a stored batch, extending the newest run when the batch follows it in sequences and offsets (never
     * across the wrap after {@code Integer.MAX_VALUE}); a newer epoch forgets the runs of the older one.
     * Allocation-free.
     */
    void add(short batchEpoch, int first, int last, long offset, int offsetDelta, long timestampMs) {
        if (batchEpoch != epoch) {
            epoch = batchEpoch;
            batchCount = 0;
        }
        lastTimestampMs = Math.max(lastTimestampMs, timestampMs);
        if (batchCount > 0) {
            int n = batchCount - 1;
            if (first <= last && offsetDelta == last - first && firstSequence[n] <= lastSequence[n]
                && lastOffsetDelta[n] == lastSequence[n] - firstSequence[n] && lastSequence[n] != Integer.MAX_VALUE
                && first == lastSequence[n] + 1 && offset == firstOffset[n] + lastOffsetDelta[n] + 1) {
                lastSequence[n] = last;
                lastOffsetDelta[n] = last - firstSequence[n];
                return;
            }
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
    }

    /**
     * Where the batch with sequences {@code first..last} was stored: the offset of its first record when a remembered
     * run holds all of it, {@link #NOT_STORED} when none holds {@code first}, {@link #OVERLAP} when one holds
     * {@code first} but not {@code last}.
     */
    long storedOffset(int first, int last) {
        for (int i = batchCount - 1; i >= 0; i--) {
            int runFirst = firstSequence[i];
            int runLast = lastSequence[i];
            if (runFirst > runLast) { // one batch across the wrap: only itself matches
                if (first == runFirst) {
                    return last == runLast ? firstOffset[i] : OVERLAP;
                }
            } else if (first >= runFirst && first <= runLast) { // offsets advance with sequences in a run
                return first <= last && last <= runLast ? firstOffset[i] + (first - runFirst) : OVERLAP;
            }
        }
        return NOT_STORED;
    }

    /** Last sequence of the newest run; only when {@code batchCount > 0}. */
    int lastSequence() {
        return lastSequence[batchCount - 1];
    }
}
