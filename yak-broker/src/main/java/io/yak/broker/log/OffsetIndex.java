package io.yak.broker.log;

import static io.yak.broker.log.IndexLayout.OFFSET_ENTRY_LENGTH;
import static io.yak.broker.log.IndexLayout.POSITION_OFFSET;
import static io.yak.broker.log.IndexLayout.RELATIVE_OFFSET_OFFSET;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * Sparse offset index of one segment, the file {@code <base offset>.index} ({@code STORAGE.md}, "Offset index
 * entry"): the relative base offset and file position of a batch every {@code index.interval.bytes} of batches, both
 * strictly increasing. Derived data: rebuilt from the segment whenever it cannot be trusted.
 *
 * <p>Threads: one writer (the partition writer thread) appends: it stores the entry in the mapping, then publishes
 * the count (volatile, {@link IndexFile}). Any thread looks up; lookups are binary searches over the mapping that
 * allocate nothing.
 */
final class OffsetIndex extends SegmentIndex {

    // Owned by the writer thread.
    private int lastRelativeOffset = -1;
    private int lastPosition = -1;

    private OffsetIndex(IndexFile file, long baseOffset) {
        super(file, baseOffset);
    }

    /** A new empty index in {@code file} with room for {@code maxEntries} entries, mapped read-write. */
    static OffsetIndex create(Path file, long baseOffset, int maxEntries) throws IOException {
        return new OffsetIndex(IndexFile.create(file, IndexLayout.OFFSET_INDEX_MAGIC, OFFSET_ENTRY_LENGTH, baseOffset,
            maxEntries), baseOffset);
    }

    /**
     * Maps a sealed index file of a segment of {@code segmentSize} bytes after checking every entry: relative offsets
     * and positions strictly increasing, positions inside the segment's batches.
     *
     * @throws IndexFile.InvalidException when the file cannot be trusted (nothing is left mapped)
     */
    static OffsetIndex openSealed(Path file, long baseOffset, int segmentSize)
        throws IOException, IndexFile.InvalidException {
        IndexFile indexFile = IndexFile.openSealed(file, IndexLayout.OFFSET_INDEX_MAGIC, OFFSET_ENTRY_LENGTH,
            baseOffset);
        OffsetIndex index = new OffsetIndex(indexFile, baseOffset);
        String problem = index.entriesProblem(segmentSize);
        if (problem != null) {
            indexFile.release();
            throw new IndexFile.InvalidException(problem);
        }
        return index;
    }

    private String entriesProblem(int segmentSize) {
        ByteBuffer view = file.view();
        int n = file.entries();
        int previousOffset = -1;
        int previousPosition = SegmentLayout.HEADER_LENGTH - 1;
        for (int slot = 0; slot < n; slot++) {
            int at = IndexFile.entryPosition(slot, OFFSET_ENTRY_LENGTH);
            int relative = view.getInt(at + RELATIVE_OFFSET_OFFSET);
            int position = view.getInt(at + POSITION_OFFSET);
            if (relative <= previousOffset) {
                return "entry " + slot + ": relative offset " + relative + " <= previous " + previousOffset;
            }
            if (position <= previousPosition) {
                return "entry " + slot + ": position " + position + " <= previous " + previousPosition;
            }
            if (position > segmentSize - IndexLayout.MIN_BATCH_SIZE) {
                return "entry " + slot + ": position " + position + " past the batches of a " + segmentSize
                    + "-byte segment";
            }
            previousOffset = relative;
            previousPosition = position;
        }
        lastRelativeOffset = previousOffset;
        lastPosition = previousPosition;
        return null;
    }

    /** Writer thread. {@code offset} and {@code position} must be greater than those of every entry so far. */
    void append(long offset, int position) {
        long relative = offset - baseOffset;
        if (relative <= lastRelativeOffset || relative > Integer.MAX_VALUE) {
            throw new IllegalStateException("index " + file.file() + ": entry offset " + offset
                + " not above the last entry's " + (baseOffset + lastRelativeOffset));
        }
        if (position <= lastPosition) {
            throw new IllegalStateException("index " + file.file() + ": entry position " + position
                + " <= last entry's " + lastPosition);
        }
        ByteBuffer mapping = file.writable();
        int n = file.entries();
        int at = IndexFile.entryPosition(n, OFFSET_ENTRY_LENGTH);
        mapping.putInt(at + RELATIVE_OFFSET_OFFSET, (int) relative);
        mapping.putInt(at + POSITION_OFFSET, position);
        lastRelativeOffset = (int) relative;
        lastPosition = position;
        file.publish(n + 1);
    }

    /**
     * The last entry whose offset is at most {@code offset}, packed as {@code relativeOffset << 32 | position} (read
     * them with {@link #relativeOffset(long)} and {@link #position(long)}), or -1 when there is none. Any thread; no
     * allocation.
     */
    long floorEntry(long offset) {
        int n = file.entries();
        ByteBuffer view = file.view();
        if (n == 0 || offset < baseOffset) {
            return -1;
        }
        long target = offset - baseOffset;
        int low = 0;
        int high = n - 1;
        int found = -1;
        while (low <= high) {
            int mid = (low + high) >>> 1;
            if (view.getInt(IndexFile.entryPosition(mid, OFFSET_ENTRY_LENGTH) + RELATIVE_OFFSET_OFFSET) <= target) {
                found = mid;
                low = mid + 1;
            } else {
                high = mid - 1;
            }
        }
        if (found < 0) {
            return -1;
        }
        int at = IndexFile.entryPosition(found, OFFSET_ENTRY_LENGTH);
        return (long) view.getInt(at + RELATIVE_OFFSET_OFFSET) << 32
            | (view.getInt(at + POSITION_OFFSET) & 0xFFFF_FFFFL);
    }

    static int relativeOffset(long entry) {
        return (int) (entry >>> 32);
    }

    static int position(long entry) {
        return (int) entry;
    }

    /** Position of the last indexed batch whose base offset is at most {@code offset}, else the default. */
    int floorPosition(long offset, int defaultPosition) {
        long entry = floorEntry(offset);
        return entry < 0 ? defaultPosition : position(entry);
    }

    /** Offset and position of the last entry, packed as by {@link #floorEntry}, or -1 when empty. */
    long lastEntry() {
        return floorEntry(Long.MAX_VALUE);
    }
}
