package io.yak.broker.log;

/**
 * Byte layout of a partition's {@code recovery-point} file. The authority is {@code yak-broker/STORAGE.md}
 * ("Recovery-point file"); {@code SegmentLayoutTest} compares this class with that table.
 */
final class RecoveryPointLayout {
    static final int MAGIC_OFFSET = 0;
    static final int MAGIC_LENGTH = 4;
    static final int FORMAT_VERSION_OFFSET = MAGIC_OFFSET + MAGIC_LENGTH;
    static final int FORMAT_VERSION_LENGTH = 2;
    static final int RESERVED_OFFSET = FORMAT_VERSION_OFFSET + FORMAT_VERSION_LENGTH;
    static final int RESERVED_LENGTH = 2;
    static final int RECOVERY_POINT_OFFSET = RESERVED_OFFSET + RESERVED_LENGTH;
    static final int RECOVERY_POINT_LENGTH = 8;
    static final int SEGMENT_BASE_OFFSET = RECOVERY_POINT_OFFSET + RECOVERY_POINT_LENGTH;
    static final int SEGMENT_BASE_LENGTH = 8;
    static final int LOG_START_OFFSET_OFFSET = SEGMENT_BASE_OFFSET + SEGMENT_BASE_LENGTH;
    static final int LOG_START_OFFSET_LENGTH = 8;
    /** CRC32C of every byte before it. */
    static final int CRC_OFFSET = LOG_START_OFFSET_OFFSET + LOG_START_OFFSET_LENGTH;
    static final int CRC_LENGTH = 4;
    /** The whole file. */
    static final int FILE_LENGTH = CRC_OFFSET + CRC_LENGTH;

    /** "YKR1" in ASCII. */
    static final int MAGIC = 0x594B5231;
    static final short FORMAT_VERSION = 1;

    private RecoveryPointLayout() {
    }
}
