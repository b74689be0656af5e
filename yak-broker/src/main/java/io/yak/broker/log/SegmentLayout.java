package io.yak.broker.log;

/**
 * Byte layout of a segment file's header and the names of the files in a partition directory. The authority is
 * {@code yak-broker/STORAGE.md} ("Segment header", "Partition directory"); {@code SegmentLayoutTest} compares this
 * class with the document's table. The record batches after the header are {@code yak-wire/WIRE.md}, "Record
 * batch" ({@link io.yak.wire.record.RecordBatchLayout}).
 */
final class SegmentLayout {
    static final int MAGIC_OFFSET = 0;
    static final int MAGIC_LENGTH = 4;
    static final int FORMAT_VERSION_OFFSET = MAGIC_OFFSET + MAGIC_LENGTH;
    static final int FORMAT_VERSION_LENGTH = 2;
    static final int RESERVED_OFFSET = FORMAT_VERSION_OFFSET + FORMAT_VERSION_LENGTH;
    static final int RESERVED_LENGTH = 2;
    static final int BASE_OFFSET_OFFSET = RESERVED_OFFSET + RESERVED_LENGTH;
    static final int BASE_OFFSET_LENGTH = 8;
    /** Position of the first record batch in a segment file. */
    static final int HEADER_LENGTH = BASE_OFFSET_OFFSET + BASE_OFFSET_LENGTH;

    /** "YAK1" in ASCII. Non-zero, so a zeroed (preallocated, never written) header never passes as one. */
    static final int MAGIC = 0x59414B31;
    static final short FORMAT_VERSION = 1;

    static final String SEGMENT_SUFFIX = ".log";
    /** Decimal digits of the zero-padded base offset in a segment file name: every long fits, names sort. */
    static final int FILE_NAME_DIGITS = 20;
    /** Written at close after everything was forced; deleted at open. */
    static final String CLEAN_SHUTDOWN_FILE = ".clean_shutdown";

    private SegmentLayout() {
    }

    /** {@code 00000000000000000042.log} for base offset 42. */
    static String fileName(long baseOffset) {
        if (baseOffset < 0) {
            throw new IllegalArgumentException("base offset " + baseOffset + " < 0");
        }
        String digits = Long.toString(baseOffset);
        StringBuilder name = new StringBuilder(FILE_NAME_DIGITS + SEGMENT_SUFFIX.length());
        for (int i = digits.length(); i < FILE_NAME_DIGITS; i++) {
            name.append('0');
        }
        return name.append(digits).append(SEGMENT_SUFFIX).toString();
    }

    /** The base offset a segment file name encodes, or -1 when the name is not a segment file's. */
    static long parseBaseOffset(String fileName) {
        if (fileName.length() != FILE_NAME_DIGITS + SEGMENT_SUFFIX.length() || !fileName.endsWith(SEGMENT_SUFFIX)) {
            return -1;
        }
        long value = 0;
        for (int i = 0; i < FILE_NAME_DIGITS; i++) {
            char c = fileName.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            if (value > (Long.MAX_VALUE - (c - '0')) / 10) {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }
}
