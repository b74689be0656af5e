package io.yak.broker.log;

/**
 * Sparse in-memory index of one segment: the base offset and file position of a batch every
 * {@code index.interval.bytes} of batches, in increasing order. Rebuilt by scanning the segment at open (derived
 * data; persistent index files come later, see {@code STORAGE.md}).
 *
 * <p>Threads: one writer (the partition writer thread) appends; any thread looks up. The writer stores an entry,
 * then publishes the new size through a volatile write; readers read the size first, then the arrays, and search
 * only below that size. Growing replaces the arrays with a larger copy that is published before the size.
 */
final class OffsetIndex {
    private static final int INITIAL_CAPACITY = 16;

    /** Arrays of equal length; entries {@code [0, size)} are valid and never change once published. */
    private volatile Entries entries = new Entries(INITIAL_CAPACITY);
    private volatile int size;

    /** Writer thread only. {@code offset} must be greater than every offset already in the index. */
    void append(long offset, int position) {
        Entries current = entries;
        int n = size;
        if (n > 0 && offset <= current.offsets[n - 1]) {
            throw new IllegalStateException("index entry offset " + offset + " <= last entry offset "
                + current.offsets[n - 1]);
        }
        if (n == current.offsets.length) {
            current = current.grow();
            entries = current;
        }
        current.offsets[n] = offset;
        current.positions[n] = position;
        size = n + 1;
    }

    /**
     * Position of the last indexed batch whose base offset is at most {@code offset}, or {@code defaultPosition}
     * when there is none. Any thread; no allocation.
     */
    int floorPosition(long offset, int defaultPosition) {
        int n = size;
        Entries e = entries;
        int low = 0;
        int high = n - 1;
        int found = -1;
        while (low <= high) {
            int mid = (low + high) >>> 1;
            if (e.offsets[mid] <= offset) {
                found = mid;
                low = mid + 1;
            } else {
                high = mid - 1;
            }
        }
        return found < 0 ? defaultPosition : e.positions[found];
    }

    int size() {
        return size;
    }

    private static final class Entries {
        final long[] offsets;
        final int[] positions;

        Entries(int capacity) {
            offsets = new long[capacity];
            positions = new int[capacity];
        }

        Entries grow() {
            Entries bigger = new Entries(offsets.length * 2);
            System.arraycopy(offsets, 0, bigger.offsets, 0, offsets.length);
            System.arraycopy(positions, 0, bigger.positions, 0, positions.length);
            return bigger;
        }
    }
}
