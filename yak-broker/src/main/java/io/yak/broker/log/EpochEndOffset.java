package io.yak.broker.log;

/**
 * Answer of {@link PartitionLog#endOffsetForEpoch(int)} (KIP-279): the largest leader epoch at or below the requested
 * one that the log knows, and the offset where it ended (the start offset of the next larger epoch the log knows, or
 * the log end offset when it is the latest). {@link #UNDEFINED} ({@code -1, -1}) when the log knows no such epoch.
 * A value type; immutable.
 *
 * @param epoch     the leader epoch found, or -1
 * @param endOffset first offset after that epoch's records, or -1
 */
public record EpochEndOffset(int epoch, long endOffset) {
    /** No epoch at or below the requested one is known (or the requested one was -1). */
    public static final EpochEndOffset UNDEFINED = new EpochEndOffset(-1, -1);

    public boolean isUndefined() {
        return epoch < 0;
    }
}
