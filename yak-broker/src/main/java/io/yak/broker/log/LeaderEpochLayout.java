package io.yak.broker.log;

/**
 * Byte layout of a partition's {@code leader-epoch-checkpoint} file. The authority is {@code yak-broker/STORAGE.md}
 * ("Leader-epoch checkpoint file", "Leader-epoch entry"); {@code SegmentLayoutTest} compares this class with those
 * tables.
 */
final class LeaderEpochLayout {
    static final int MAGIC_OFFSET = 0;
    static final int MAGIC_LENGTH = 4;
    static final int FORMAT_VERSION_OFFSET = MAGIC_OFFSET + MAGIC_LENGTH;
    static final int FORMAT_VERSION_LENGTH = 2;
    static final int RESERVED_OFFSET = FORMAT_VERSION_OFFSET + FORMAT_VERSION_LENGTH;
    static final int RESERVED_LENGTH = 2;
    static final int ENTRY_COUNT_OFFSET = RESERVED_OFFSET + RESERVED_LENGTH;
    static final int ENTRY_COUNT_LENGTH = 4;
    /** Position of the first entry. */
    static final int HEADER_LENGTH = ENTRY_COUNT_OFFSET + ENTRY_COUNT_LENGTH;

    // One entry, relative to its own start.
    static final int EPOCH_OFFSET = 0;
    static final int EPOCH_LENGTH = 4;
    static final int START_OFFSET_OFFSET = EPOCH_OFFSET + EPOCH_LENGTH;
    static final int START_OFFSET_LENGTH = 8;
    static final int ENTRY_LENGTH = START_OFFSET_OFFSET + START_OFFSET_LENGTH;

    /** CRC32C of every byte before it; it follows the last entry. */
    static final int CRC_LENGTH = 4;

    /** "YKE1" in ASCII. */
    static final int MAGIC = 0x594B4531;
    static final short FORMAT_VERSION = 1;
    /**
     * Most entries a file (and the cache) holds: one per leader change, so far more than a partition ever sees; the
     * cache drops its oldest entry rather than grow past it, and a file that claims more is invalid.
     */
    static final int MAX_ENTRIES = 65_536;

    private LeaderEpochLayout() {
    }

    /** Size of a file with {@code entries} entries. */
    static int fileLength(int entries) {
        return HEADER_LENGTH + entries * ENTRY_LENGTH + CRC_LENGTH;
    }
}
