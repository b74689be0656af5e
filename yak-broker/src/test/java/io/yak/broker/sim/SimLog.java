package io.yak.broker.sim;

import io.yak.broker.log.EpochEndOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * An in-memory model of a partition's {@code PartitionLog} for the replication simulation: records (one per batch)
 * with their leader epoch and a payload standing for their bytes, the leader-epoch cache ({@code LeaderEpochCache}'s
 * rules), the high watermark with its checkpoint, and how far the log was flushed (what a power loss keeps).
 * {@link SimLogAgreementTest} checks it against the real log. Not thread-safe (the simulation is one thread).
 */
final class SimLog {
    /** One record: the leader epoch of its batch and its bytes (a unique number stands for them). */
    record Entry(int epoch, long payload) {
    }

    private long logStart;
    private final ArrayList<Entry> entries = new ArrayList<>();
    /** Leader-epoch cache: epoch to start offset; epochs and start offsets both increasing. */
    private final TreeMap<Integer, Long> epochs = new TreeMap<>();
    private long highWatermark;
    /** The {@code high-watermark} file (fsynced when written: survives a power loss). */
    private long hwCheckpoint;
    /** Records below this were forced to disk (or written back by the OS): a power loss keeps them. */
    private long flushedEnd;
    /** The lowest offset from which records were removed since {@link #takeRewrittenFrom()} (for the checker). */
    private long rewrittenFrom = Long.MAX_VALUE;

    /** The lowest offset records were removed from since the last call, {@code Long.MAX_VALUE} for none. */
    long takeRewrittenFrom() {
        long r = rewrittenFrom;
        rewrittenFrom = Long.MAX_VALUE;
        return r;
    }

    private void removeFrom(long offset) {
        rewrittenFrom = Math.min(rewrittenFrom, offset);
        while (logEndOffset() > offset) {
            entries.remove(entries.size() - 1);
        }
    }

    long logStartOffset() {
        return logStart;
    }

    long logEndOffset() {
        return logStart + entries.size();
    }

    Entry at(long offset) {
        return entries.get((int) (offset - logStart));
    }

    int latestEpoch() {
        return epochs.isEmpty() ? -1 : epochs.lastKey();
    }

    long highWatermark() {
        return Math.min(Math.max(highWatermark, logStart), logEndOffset());
    }

    long flushedEnd() {
        return flushedEnd;
    }

    /** Where the first epoch known starts, -1 when none is. */
    long firstEpochStartOffset() {
        return epochs.isEmpty() ? -1 : epochs.firstEntry().getValue();
    }

    /** KIP-279 as {@code LeaderEpochCache.endOffsetFor}: undefined below the first epoch known (unlike Kafka). */
    EpochEndOffset endOffsetForEpoch(int requested) {
        if (requested < 0 || epochs.isEmpty()) {
            return EpochEndOffset.UNDEFINED;
        }
        Integer found = epochs.floorKey(requested);
        if (found == null) {
            return EpochEndOffset.UNDEFINED;
        }
        Map.Entry<Integer, Long> next = epochs.higherEntry(found);
        return new EpochEndOffset(found, next == null ? logEndOffset() : next.getValue());
    }

    int epochForOffset(long offset) {
        Integer found = null;
        for (Map.Entry<Integer, Long> e : epochs.entrySet()) {
            if (e.getValue() <= offset) {
                found = e.getKey();
            }
        }
        return found == null ? -1 : found;
    }

    /** The leader's append: {@code PartitionLog.append(batch, epoch)}; returns the record's offset. */
    long appendAsLeader(int epoch, long payload) {
        int latest = latestEpoch();
        if (epoch < latest) {
            throw new IllegalArgumentException("append with leader epoch " + epoch + " below latest " + latest);
        }
        long offset = logEndOffset();
        if (epoch > latest) {
            assign(epoch, offset);
        }
        entries.add(new Entry(epoch, payload));
        return offset;
    }

    /** {@code PartitionLog.appendAsFollower}: the leader's records from the log end, checked all or nothing. */
    void appendAsFollower(long baseOffset, List<Entry> fetched) {
        if (fetched.isEmpty()) {
            return;
        }
        if (baseOffset != logEndOffset()) {
            throw new IllegalArgumentException("base offset " + baseOffset + ", expected " + logEndOffset());
        }
        int latest = latestEpoch();
        for (Entry e : fetched) {
            if (e.epoch() < latest) {
                throw new IllegalArgumentException("leader epoch " + e.epoch() + " below " + latest + " at offset "
                    + baseOffset);
            }
            latest = e.epoch();
        }
        latest = latestEpoch();
        for (Entry e : fetched) {
            if (e.epoch() > latest) {
                assign(e.epoch(), logEndOffset());
                latest = e.epoch();
            }
            entries.add(e);
        }
    }

    /** Kafka's assign, as {@code LeaderEpochCache}: drops entries at or above the new epoch or start, adds it. */
    private void assign(int epoch, long start) {
        epochs.entrySet().removeIf(e -> e.getKey() >= epoch || e.getValue() >= start);
        epochs.put(epoch, start);
    }

    /** {@code PartitionLog.truncateTo}: returns the new end (records are single-record batches here). */
    long truncateTo(long offset) {
        if (offset < 0 || offset > logEndOffset()) {
            throw new IllegalArgumentException("truncate to " + offset + " outside [0, " + logEndOffset() + "]");
        }
        if (offset == logEndOffset()) {
            return offset;
        }
        if (offset < logStart) {
            truncateFullyAndStartAt(offset);
            return offset;
        }
        highWatermark = Math.min(highWatermark(), offset);
        hwCheckpoint = highWatermark; // the real truncation writes the lowered mark before it changes a file
        removeFrom(offset);
        flushedEnd = Math.min(flushedEnd, offset);
        epochs.entrySet().removeIf(e -> e.getValue() >= offset);
        return offset;
    }

    void truncateFullyAndStartAt(long offset) {
        rewrittenFrom = Math.min(rewrittenFrom, Math.min(offset, logStart));
        entries.clear();
        epochs.clear();
        logStart = offset;
        highWatermark = offset;
        hwCheckpoint = offset;
        flushedEnd = offset;
    }

    /** Raises the high watermark, clamped to the log; a lower value changes nothing. */
    void updateHighWatermark(long hw) {
        long clamped = Math.min(Math.max(hw, logStart), logEndOffset());
        if (clamped > highWatermark) {
            highWatermark = clamped;
        }
    }

    void checkpointHighWatermark() {
        hwCheckpoint = highWatermark();
    }

    /** Everything written so far reaches the disk (a force, a clean close, the OS's write-back). */
    void flush() {
        flushedEnd = logEndOffset();
    }

    /** A process restart: the log (page cache) survives; the high watermark is the checkpoint's, clamped. */
    void restart() {
        highWatermark = Math.min(Math.max(hwCheckpoint, logStart), logEndOffset());
    }

    /**
     * A power loss: the log keeps its flushed part and an arbitrary part of the rest ({@code keepEnd}, at least
     * {@link #flushedEnd()}); recovery drops epoch entries past the end; the high watermark restarts from its
     * (fsynced) checkpoint, clamped. {@code keepEnd} 0 with {@code emptyDir} models a broker started on an empty
     * data directory: nothing at all survives.
     */
    void powerLoss(long keepEnd, boolean emptyDir) {
        if (emptyDir) {
            truncateFullyAndStartAt(0);
            return;
        }
        if (keepEnd < flushedEnd || keepEnd > logEndOffset()) {
            throw new IllegalArgumentException("power loss keeping " + keepEnd + " of a log flushed to " + flushedEnd);
        }
        removeFrom(keepEnd);
        epochs.entrySet().removeIf(e -> e.getValue() >= keepEnd);
        restart();
    }

    /** Epoch entries as (epoch, start) pairs, oldest first. */
    List<long[]> epochEntries() {
        List<long[]> out = new ArrayList<>();
        epochs.forEach((e, s) -> out.add(new long[] {e, s}));
        return out;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("log[").append(logStart).append("..").append(logEndOffset())
            .append(") hw ").append(highWatermark()).append(" ckpt ").append(hwCheckpoint).append(" flushed ")
            .append(flushedEnd).append(" epochs ").append(epochs);
        return sb.toString();
    }
}
