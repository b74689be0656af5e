package io.yak.broker.log;

/**
 * Byte layout of a partition's {@code high-watermark} file. The authority is {@code yak-broker/STORAGE.md}
 * ("High-watermark file"); {@code SegmentLayoutTest} compares this class with that table.
 */
final class HighWatermarkLayout {
    static final int MAGIC_OFFSET = 0;
    static final int MAGIC_LENGTH = 4;
    static final int FORMAT_VERSION_OFFSET = MAGIC_OFFSET + MAGIC_LENGTH;
    static final int FORMAT_VERSION_LENGTH = 2;
    static final int RESERVED_OFFSET = FORMAT_VERSION_OFFSET + FORMAT_VERSION_LENGTH;
    static final int RESERVED_LENGTH = 2;
    static final int HIGH_WATERMARK_OFFSET = RESERVED_OFFSET + RESERVED_LENGTH;
    static final int HIGH_WATERMARK_LENGTH = 8;
    /** CRC32C of every byte before it. */
    static final int CRC_OFFSET = HIGH_WATERMARK_OFFSET + HIGH_WATERMARK_LENGTH;
    static final int CRC_LENGTH = 4;
    /** The whole file. */
    static final int FILE_LENGTH = CRC_OFFSET + CRC_LENGTH;

    /** "YKH1" in ASCII. */
    static final int MAGIC = 0x594B4831;
    static final short FORMAT_VERSION = 1;

    private HighWatermarkLayout() {
    }
}
