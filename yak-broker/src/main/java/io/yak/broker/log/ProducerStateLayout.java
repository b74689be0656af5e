package io.yak.broker.log;

/**
 * Byte layout of a partition's producer-state snapshot files ({@code <offset>.snapshot}). The authority is
 * {@code yak-broker/STORAGE.md} ("Producer snapshot file", "Producer entry", "Producer batch entry");
 * {@code SegmentLayoutTest} compares this class with those tables.
 */
final class ProducerStateLayout {
    static final int MAGIC_OFFSET = 0;
    static final int MAGIC_LENGTH = 4;
    static final int FORMAT_VERSION_OFFSET = MAGIC_OFFSET + MAGIC_LENGTH;
    static final int FORMAT_VERSION_LENGTH = 2;
    static final int RESERVED_OFFSET = FORMAT_VERSION_OFFSET + FORMAT_VERSION_LENGTH;
    static final int RESERVED_LENGTH = 2;
    static final int SNAPSHOT_OFFSET_OFFSET = RESERVED_OFFSET + RESERVED_LENGTH;
    static final int SNAPSHOT_OFFSET_LENGTH = 8;
    static final int PRODUCER_COUNT_OFFSET = SNAPSHOT_OFFSET_OFFSET + SNAPSHOT_OFFSET_LENGTH;
    static final int PRODUCER_COUNT_LENGTH = 4;
    /** Position of the first producer entry. */
    static final int HEADER_LENGTH = PRODUCER_COUNT_OFFSET + PRODUCER_COUNT_LENGTH;

    // One producer entry, relative to its own start.
    static final int PRODUCER_ID_OFFSET = 0;
    static final int PRODUCER_ID_LENGTH = 8;
    static final int PRODUCER_EPOCH_OFFSET = PRODUCER_ID_OFFSET + PRODUCER_ID_LENGTH;
    static final int PRODUCER_EPOCH_LENGTH = 2;
    static final int BATCH_COUNT_OFFSET = PRODUCER_EPOCH_OFFSET + PRODUCER_EPOCH_LENGTH;
    static final int BATCH_COUNT_LENGTH = 2;
    static final int LAST_TIMESTAMP_OFFSET = BATCH_COUNT_OFFSET + BATCH_COUNT_LENGTH;
    static final int LAST_TIMESTAMP_LENGTH = 8;
    static final int BATCHES_OFFSET = LAST_TIMESTAMP_OFFSET + LAST_TIMESTAMP_LENGTH;

    // One batch entry, relative to its own start.
    static final int FIRST_SEQUENCE_OFFSET = 0;
    static final int FIRST_SEQUENCE_LENGTH = 4;
    static final int LAST_SEQUENCE_OFFSET = FIRST_SEQUENCE_OFFSET + FIRST_SEQUENCE_LENGTH;
    static final int LAST_SEQUENCE_LENGTH = 4;
    static final int FIRST_OFFSET_OFFSET = LAST_SEQUENCE_OFFSET + LAST_SEQUENCE_LENGTH;
    static final int FIRST_OFFSET_LENGTH = 8;
    static final int LAST_OFFSET_DELTA_OFFSET = FIRST_OFFSET_OFFSET + FIRST_OFFSET_LENGTH;
    static final int LAST_OFFSET_DELTA_LENGTH = 4;
    static final int BATCH_ENTRY_LENGTH = LAST_OFFSET_DELTA_OFFSET + LAST_OFFSET_DELTA_LENGTH;

    /** Batches remembered per producer: the most an idempotent producer keeps in flight per partition. */
    static final int MAX_BATCHES = 5;
    static final int PRODUCER_ENTRY_LENGTH = BATCHES_OFFSET + MAX_BATCHES * BATCH_ENTRY_LENGTH;

    /** CRC32C of every byte before it; it follows the last producer entry. */
    static final int CRC_LENGTH = 4;

    /** "YKP1" in ASCII. */
    static final int MAGIC = 0x594B5031;
    static final short FORMAT_VERSION = 1;
    /** A file that claims more producers is invalid; expiry keeps real partitions far below it. */
    static final int MAX_PRODUCERS = 1 << 20;

    private ProducerStateLayout() {
    }

    /** Size of a file with {@code producers} producer entries. */
    static long fileLength(int producers) {
        return HEADER_LENGTH + (long) producers * PRODUCER_ENTRY_LENGTH + CRC_LENGTH;
    }
}
