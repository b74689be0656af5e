package io.yak.broker.log;

import static io.yak.wire.record.RecordBatchLayout.LOG_OVERHEAD;
import static io.yak.wire.record.RecordBatchLayout.MIN_BATCH_LENGTH;

/**
 * Byte layout of a segment's two index files, {@code <base offset>.index} (sparse offset index) and
 * {@code <base offset>.timeindex} (time index). The authority is {@code yak-broker/STORAGE.md} ("Index file header",
 * "Offset index entry", "Time index entry"); {@code SegmentLayoutTest} compares this class with those tables.
 */
final class IndexLayout {
    static final int MAGIC_OFFSET = 0;
    static final int MAGIC_LENGTH = 4;
    static final int FORMAT_VERSION_OFFSET = MAGIC_OFFSET + MAGIC_LENGTH;
    static final int FORMAT_VERSION_LENGTH = 2;
    static final int RESERVED_OFFSET = FORMAT_VERSION_OFFSET + FORMAT_VERSION_LENGTH;
    static final int RESERVED_LENGTH = 2;
    static final int BASE_OFFSET_OFFSET = RESERVED_OFFSET + RESERVED_LENGTH;
    static final int BASE_OFFSET_LENGTH = 8;
    /** int32: entries of a sealed index; {@link #ACTIVE_ENTRY_COUNT} while the segment is active. */
    static final int ENTRY_COUNT_OFFSET = BASE_OFFSET_OFFSET + BASE_OFFSET_LENGTH;
    static final int ENTRY_COUNT_LENGTH = 4;
    /** CRC32C of the entries of a sealed index; 0 while the segment is active. */
    static final int ENTRIES_CRC_OFFSET = ENTRY_COUNT_OFFSET + ENTRY_COUNT_LENGTH;
    static final int ENTRIES_CRC_LENGTH = 4;
    /** Position of the first entry in an index file. */
    static final int HEADER_LENGTH = ENTRIES_CRC_OFFSET + ENTRIES_CRC_LENGTH;
    /** {@code entry_count} of an index that was never sealed: its entries are unknown and it is never trusted. */
    static final int ACTIVE_ENTRY_COUNT = -1;

    /** "YKI1" in ASCII: an offset index. */
    static final int OFFSET_INDEX_MAGIC = 0x594B4931;
    /** "YKT1" in ASCII: a time index. */
    static final int TIME_INDEX_MAGIC = 0x594B5431;
    static final short FORMAT_VERSION = 1;

    /** Offset index entry: the batch's base offset minus the segment's base offset. */
    static final int RELATIVE_OFFSET_OFFSET = 0;
    static final int RELATIVE_OFFSET_LENGTH = 4;
    /** Offset index entry: the batch's position in the segment file. */
    static final int POSITION_OFFSET = RELATIVE_OFFSET_OFFSET + RELATIVE_OFFSET_LENGTH;
    static final int POSITION_LENGTH = 4;
    static final int OFFSET_ENTRY_LENGTH = POSITION_OFFSET + POSITION_LENGTH;

    /** Time index entry: the largest batch max timestamp of the segment up to the indexed point. */
    static final int TIMESTAMP_OFFSET = 0;
    static final int TIMESTAMP_LENGTH = 8;
    /** Time index entry: base offset (relative) of the batch that holds that timestamp. */
    static final int TIME_RELATIVE_OFFSET_OFFSET = TIMESTAMP_OFFSET + TIMESTAMP_LENGTH;
    static final int TIME_RELATIVE_OFFSET_LENGTH = 4;
    static final int TIME_ENTRY_LENGTH = TIME_RELATIVE_OFFSET_OFFSET + TIME_RELATIVE_OFFSET_LENGTH;

    /** The smallest batch: a header without records. */
    static final int MIN_BATCH_SIZE = LOG_OVERHEAD + MIN_BATCH_LENGTH;

    private IndexLayout() {
    }

    /**
     * Entries an index of a segment of {@code segmentCapacity} bytes can ever need: two offset index entries are at
     * least {@code max(indexIntervalBytes, smallest batch)} bytes of batches apart; the time index has at most one
     * entry per offset index entry plus the one a seal adds. Active index files are preallocated to this, so they
     * never fill up.
     */
    static int maxEntries(int segmentCapacity, int indexIntervalBytes) {
        int step = Math.max(indexIntervalBytes, MIN_BATCH_SIZE);
        return 2 + Math.max(0, segmentCapacity - SegmentLayout.HEADER_LENGTH) / step;
    }
}
