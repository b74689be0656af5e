package io.yak.broker.log;

import static io.yak.broker.log.IndexLayout.TIMESTAMP_OFFSET;
import static io.yak.broker.log.IndexLayout.TIME_ENTRY_LENGTH;
import static io.yak.broker.log.IndexLayout.TIME_RELATIVE_OFFSET_OFFSET;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * Time index of one segment, the file {@code <base offset>.timeindex} ({@code STORAGE.md}, "Time index entry"):
 * entries {@code (timestamp, relative offset)} where the timestamp is the largest batch max timestamp of the segment
 * so far and the offset is the base offset of the batch that holds it. Both strictly increase. An entry is added
 * together with an offset index entry when the maximum grew since the last one (so at most one per
 * {@code index.interval.bytes}), and once more when the segment is sealed, so a sealed segment's last entry holds
 * its largest timestamp. Derived data: rebuilt from the segment whenever it cannot be trusted.
 *
 * <p>Threads: one writer appends (entry, then the published count); any thread looks up without allocating.
 */
final class TimeIndex extends SegmentIndex {

    // Owned by the writer thread.
    private long lastTimestamp = Long.MIN_VALUE;
    private int lastRelativeOffset = -1;

    private TimeIndex(IndexFile file, long baseOffset) {
        super(file, baseOffset);
    }

    static TimeIndex create(Path file, long baseOffset, int maxEntries) throws IOException {
        return new TimeIndex(IndexFile.create(file, IndexLayout.TIME_INDEX_MAGIC, TIME_ENTRY_LENGTH, baseOffset,
            maxEntries), baseOffset);
    }

    /**
     * Maps a sealed time index after checking its entries: timestamps and relative offsets strictly increasing, the
     * offsets below {@code nextOffset} (the segment's), at least one entry.
     *
     * @throws IndexFile.InvalidException when the file cannot be trusted (nothing is left mapped)
     */
    static TimeIndex openSealed(Path file, long baseOffset, long nextOffset)
        throws IOException, IndexFile.InvalidException {
        IndexFile indexFile = IndexFile.openSealed(file, IndexLayout.TIME_INDEX_MAGIC, TIME_ENTRY_LENGTH, baseOffset);
        TimeIndex index = new TimeIndex(indexFile, baseOffset);
        String problem = index.entriesProblem(nextOffset);
        if (problem != null) {
            indexFile.release();
            throw new IndexFile.InvalidException(problem);
        }
        return index;
    }

    private String entriesProblem(long nextOffset) {
        ByteBuffer view = file.view();
        int n = file.entries();
        if (n == 0) {
            return "no entry (a sealed segment's time index holds at least its largest timestamp)";
        }
        long previousTimestamp = Long.MIN_VALUE;
        int previousOffset = -1;
        for (int slot = 0; slot < n; slot++) {
            int at = IndexFile.entryPosition(slot, TIME_ENTRY_LENGTH);
            long timestamp = view.getLong(at + TIMESTAMP_OFFSET);
            int relative = view.getInt(at + TIME_RELATIVE_OFFSET_OFFSET);
            if (slot > 0 && timestamp <= previousTimestamp) {
                return "entry " + slot + ": timestamp " + timestamp + " <= previous " + previousTimestamp;
            }
            if (relative <= previousOffset) {
                return "entry " + slot + ": relative offset " + relative + " <= previous " + previousOffset;
            }
            if (baseOffset + relative >= nextOffset) {
                return "entry " + slot + ": offset " + (baseOffset + relative) + " not below the segment's end "
                    + nextOffset;
            }
            previousTimestamp = timestamp;
            previousOffset = relative;
        }
        lastTimestamp = previousTimestamp;
        lastRelativeOffset = previousOffset;
        return null;
    }

    /** Writer thread. Both must be greater than the last entry's. */
    void append(long timestamp, long offset) {
        long relative = offset - baseOffset;
        int n = file.entries();
        if (n > 0 && timestamp <= lastTimestamp || relative <= lastRelativeOffset || relative > Integer.MAX_VALUE) {
            throw new IllegalStateException("time index " + file.file() + ": entry (" + timestamp + ", " + offset
                + ") not above the last one (" + lastTimestamp + ", " + (baseOffset + lastRelativeOffset) + ")");
        }
        ByteBuffer mapping = file.writable();
        int at = IndexFile.entryPosition(n, TIME_ENTRY_LENGTH);
        mapping.putLong(at + TIMESTAMP_OFFSET, timestamp);
        mapping.putInt(at + TIME_RELATIVE_OFFSET_OFFSET, (int) relative);
        lastTimestamp = timestamp;
        lastRelativeOffset = (int) relative;
        file.publish(n + 1);
    }

    /**
     * Slot of the last entry whose timestamp is below {@code timestamp}, or -1 when there is none. Every batch up to
     * and including the one that entry names has a max timestamp below {@code timestamp}. Any thread.
     */
    int lastSlotBefore(long timestamp) {
        int n = file.entries();
        ByteBuffer view = file.view();
        int low = 0;
        int high = n - 1;
        int found = -1;
        while (low <= high) {
            int mid = (low + high) >>> 1;
            if (view.getLong(IndexFile.entryPosition(mid, TIME_ENTRY_LENGTH) + TIMESTAMP_OFFSET) < timestamp) {
                found = mid;
                low = mid + 1;
            } else {
                high = mid - 1;
            }
        }
        return found;
    }

    /** Timestamp of a published entry. Any thread. */
    long timestampAt(int slot) {
        return file.view().getLong(IndexFile.entryPosition(slot, TIME_ENTRY_LENGTH) + TIMESTAMP_OFFSET);
    }

    /** Offset (absolute) of a published entry. Any thread. */
    long offsetAt(int slot) {
        return baseOffset + file.view().getInt(IndexFile.entryPosition(slot, TIME_ENTRY_LENGTH)
            + TIME_RELATIVE_OFFSET_OFFSET);
    }

    /** Timestamp of the last entry, or {@link Long#MIN_VALUE} when empty. Writer thread. */
    long lastTimestamp() {
        return file.entries() == 0 ? Long.MIN_VALUE : lastTimestamp;
    }
}
