package io.yak.broker.log;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where each leader epoch of a partition's log starts: an ordered list of {@code (epoch, startOffset)}, epochs
 * strictly increasing and start offsets increasing, persisted in {@code leader-epoch-checkpoint}
 * ({@code STORAGE.md}, "Leader epochs"). It answers KIP-279's question "where did my epoch end on your log?" for
 * followers that must find where their log diverges from the leader's ({@link #endOffsetFor}).
 *
 * <p>Invariant kept by {@link PartitionLog}: every epoch of a batch in the log has its entry (the cache is changed
 * and persisted before the first batch of a new epoch is written, and after batches are removed), so after a crash
 * the file may only hold extra entries at its end (or before the log start), which recovery drops with
 * {@link #truncateFromEnd} and {@link #truncateFromStart}.
 *
 * <p>Threads: changed by the partition writer thread only (each change rewrites the file: blocks); read from any
 * thread: the entries are an immutable snapshot in a volatile field, replaced on change. {@link #latestEpoch()} is a
 * volatile read, allocation-free (the append path calls it for every append).
 */
final class LeaderEpochCache {
    private static final Logger LOG = LoggerFactory.getLogger(LeaderEpochCache.class);
    static final int UNDEFINED_EPOCH = -1;

    private final Path directory;
    private final String partition;
    private volatile Snapshot snapshot;

    /** An immutable list of entries; {@code latestEpoch} cached for the append path. */
    private static final class Snapshot {
        static final Snapshot EMPTY = new Snapshot(new int[0], new long[0]);
        final int[] epochs;
        final long[] starts;
        final int latestEpoch;

        Snapshot(int[] epochs, long[] starts) {
            this.epochs = epochs;
            this.starts = starts;
            this.latestEpoch = epochs.length == 0 ? UNDEFINED_EPOCH : epochs[epochs.length - 1];
        }

        int size() {
            return epochs.length;
        }

        boolean sameAs(Snapshot other) {
            return Arrays.equals(epochs, other.epochs) && Arrays.equals(starts, other.starts);
        }

        /** Kafka's assign: drops entries that conflict with the new one (epoch or start at or above it), adds it. */
        Snapshot assign(int epoch, long start, String partition) {
            int n = size();
            if (n > 0 && epochs[n - 1] == epoch && starts[n - 1] <= start) {
                return this;
            }
            int keep = n;
            while (keep > 0 && (epochs[keep - 1] >= epoch || starts[keep - 1] >= start)) {
                keep--;
            }
            if (n - keep > 1 || n - keep == 1 && starts[keep] != start) {
                LOG.warn("partition {}: leader epoch {} at offset {} replaces the entries {}", partition, epoch,
                    start, describe(keep, n));
            }
            int from = keep == LeaderEpochLayout.MAX_ENTRIES ? 1 : 0; // bounded: the oldest entry goes
            int[] newEpochs = new int[keep - from + 1];
            long[] newStarts = new long[keep - from + 1];
            System.arraycopy(epochs, from, newEpochs, 0, keep - from);
            System.arraycopy(starts, from, newStarts, 0, keep - from);
            newEpochs[keep - from] = epoch;
            newStarts[keep - from] = start;
            return new Snapshot(newEpochs, newStarts);
        }

        Snapshot truncateFromEnd(long offset) {
            int keep = size();
            while (keep > 0 && starts[keep - 1] >= offset) {
                keep--;
            }
            return keep == size() ? this
                : new Snapshot(Arrays.copyOf(epochs, keep), Arrays.copyOf(starts, keep));
        }

        Snapshot truncateFromStart(long offset) {
            int covering = floor(offset);
            if (covering < 0 || covering == 0 && starts[0] == offset) {
                return this;
            }
            int[] newEpochs = Arrays.copyOfRange(epochs, covering, size());
            long[] newStarts = Arrays.copyOfRange(starts, covering, size());
            newStarts[0] = offset;
            return new Snapshot(newEpochs, newStarts);
        }

        /** Index of the last entry whose start is at most {@code offset}, or -1. */
        int floor(long offset) {
            int low = 0;
            int high = size() - 1;
            int found = -1;
            while (low <= high) {
                int mid = (low + high) >>> 1;
                if (starts[mid] <= offset) {
                    found = mid;
                    low = mid + 1;
                } else {
                    high = mid - 1;
                }
            }
            return found;
        }

        String describe(int from, int to) {
            StringBuilder text = new StringBuilder("[");
            for (int i = from; i < to; i++) {
                text.append(i == from ? "" : ", ").append('(').append(epochs[i]).append(", ").append(starts[i])
                    .append(')');
            }
            return text.append(']').toString();
        }
    }

    private LeaderEpochCache(Path directory, String partition, Snapshot snapshot) {
        this.directory = directory;
        this.partition = partition;
        this.snapshot = snapshot;
    }

    /** An empty cache that writes to {@code directory} when it changes; nothing is read or written now. */
    static LeaderEpochCache empty(Path directory, String partition) {
        return new LeaderEpochCache(directory, partition, Snapshot.EMPTY);
    }

    /** A cache holding the entries read from {@code directory}'s file (already checked by the reader). */
    static LeaderEpochCache of(Path directory, String partition, LeaderEpochCheckpoint.Entries entries) {
        return new LeaderEpochCache(directory, partition, new Snapshot(entries.epochs(), entries.startOffsets()));
    }

    /** Where the first epoch known starts, -1 when none is. Any thread; allocation-free. */
    long firstStartOffset() {
        Snapshot s = snapshot;
        return s.size() == 0 ? -1 : s.starts[0];
    }

    /** The latest epoch, {@link #UNDEFINED_EPOCH} when there is none. Any thread; allocation-free. */
    int latestEpoch() {
        return snapshot.latestEpoch;
    }

    /**
     * The epoch of the record at {@code offset}: that of the last entry starting at or before it, or
     * {@link #UNDEFINED_EPOCH} when {@code offset} is before the first entry. Does not check that the log holds the
     * offset. Any thread.
     */
    int epochForOffset(long offset) {
        Snapshot s = snapshot;
        int i = s.floor(offset);
        return i < 0 ? UNDEFINED_EPOCH : s.epochs[i];
    }

    /**
     * KIP-279 ({@code OffsetsForLeaderEpoch}): the largest epoch at or below {@code requestedEpoch} that the cache
     * knows, with the start offset of the next larger epoch it knows, or {@code logEndOffset} when the one found is
     * the latest. {@link EpochEndOffset#UNDEFINED} when {@code requestedEpoch} is below the first epoch known (unlike
     * Kafka, which answers the requested epoch with the first epoch's start offset there), when it is -1, or when the
     * cache is empty. Any thread; allocates the answer.
     */
    EpochEndOffset endOffsetFor(int requestedEpoch, long logEndOffset) {
        Snapshot s = snapshot;
        if (requestedEpoch < 0 || s.size() == 0) {
            return EpochEndOffset.UNDEFINED;
        }
        // the last entry whose epoch is at most the requested one (epochs strictly increase)
        int search = Arrays.binarySearch(s.epochs, requestedEpoch);
        int found = search >= 0 ? search : -search - 2;
        if (found < 0) {
            return EpochEndOffset.UNDEFINED;
        }
        long end = found == s.size() - 1 ? logEndOffset : s.starts[found + 1];
        return new EpochEndOffset(s.epochs[found], end);
    }

    /**
     * Writer thread. Records that {@code epoch} starts at {@code startOffset}, with Kafka's rules: nothing changes
     * when it is the latest epoch already; a new epoch at the latest entry's start offset replaces that entry; an
     * epoch or start offset at or below an existing entry's drops those entries first (WARN; only after a
     * truncation that left the cache behind, never on the paths {@link PartitionLog} takes). Persists the file when
     * anything changed, before the change is visible.
     *
     * @throws IllegalArgumentException when {@code epoch} or {@code startOffset} is negative
     */
    void assign(int epoch, long startOffset) throws IOException {
        if (epoch < 0 || startOffset < 0) {
            throw new IllegalArgumentException("partition " + partition + ": leader epoch " + epoch
                + " at offset " + startOffset);
        }
        replace(snapshot.assign(epoch, startOffset, partition));
    }

    /** Writer thread. Drops the entries that start at or after {@code offset} (the log was truncated there). */
    void truncateFromEnd(long offset) throws IOException {
        replace(snapshot.truncateFromEnd(offset));
    }

    /**
     * Writer thread. The log now starts at {@code offset} (retention): the entry covering it starts there, earlier
     * ones go. Nothing changes when {@code offset} is before the first entry.
     */
    void truncateFromStart(long offset) throws IOException {
        replace(snapshot.truncateFromStart(offset));
    }

    /** Writer thread. Drops every entry (the log was emptied). */
    void clear() throws IOException {
        replace(Snapshot.EMPTY);
    }

    /** Writer thread: writes the file even if nothing changed (a rebuilt or repaired cache). */
    void persist() throws IOException {
        Snapshot s = snapshot;
        LeaderEpochCheckpoint.write(directory, s.epochs, s.starts);
    }

    private void replace(Snapshot next) throws IOException {
        Snapshot current = snapshot;
        if (next == current || next.sameAs(current)) {
            return;
        }
        LeaderEpochCheckpoint.write(directory, next.epochs, next.starts);
        snapshot = next;
    }

    /** Entries as {@code (epoch, startOffset)} pairs, oldest first; for tests and log lines. */
    List<long[]> entries() {
        Snapshot s = snapshot;
        List<long[]> out = new ArrayList<>(s.size());
        for (int i = 0; i < s.size(); i++) {
            out.add(new long[] {s.epochs[i], s.starts[i]});
        }
        return out;
    }

    /**
     * Builds a cache's entries in memory from the batches of a log, oldest first (used when the file is missing or
     * invalid): each batch's {@code partition_leader_epoch} (-1, "none", is skipped) at its base offset, with
     * {@link #assign}'s rules. {@link #build()} gives the cache; nothing is written until {@link #persist()}.
     */
    static final class Rebuilder {
        private final Path directory;
        private final String partition;
        private Snapshot building = Snapshot.EMPTY;

        Rebuilder(Path directory, String partition) {
            this.directory = directory;
            this.partition = partition;
        }

        void batch(int epoch, long baseOffset) {
            if (epoch >= 0 && epoch != building.latestEpoch) {
                building = building.assign(epoch, baseOffset, partition);
            }
        }

        LeaderEpochCache build() {
            return new LeaderEpochCache(directory, partition, building);
        }
    }

    @Override
    public String toString() {
        Snapshot s = snapshot;
        return s.describe(0, s.size());
    }
}
