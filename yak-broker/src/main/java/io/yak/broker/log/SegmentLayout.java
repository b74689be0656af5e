package io.yak.broker.log;

/**
 * Byte layout of a segment file's header and the names of the files in a partition directory. The authority is
 * {@code yak-broker/STORAGE.md} ("Segment header", "Partition directory"); index files are {@link IndexLayout}, the
 * recovery-point file {@link RecoveryPointLayout}, the leader-epoch checkpoint {@link LeaderEpochLayout}, the
 * high-watermark file {@link HighWatermarkLayout}; {@code SegmentLayoutTest} compares this
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
    /** The segment's sparse offset index ({@link IndexLayout}); same zero-padded base offset as the segment. */
    static final String INDEX_SUFFIX = ".index";
    /** The segment's time index ({@link IndexLayout}). */
    static final String TIME_INDEX_SUFFIX = ".timeindex";
    /** Appended to the names of a segment's files when retention deletes it; removed after file.delete.delay.ms. */
    static final String DELETED_SUFFIX = ".deleted";
    /** Where the recovery point and the log start offset are kept ({@link RecoveryPointLayout}). */
    static final String RECOVERY_POINT_FILE = "recovery-point";
    /** The id of the topic the partition belongs to ({@code topic.id=N}); written by the partition manager. */
    static final String TOPIC_ID_FILE = "partition.meta";
    /** A recovery-point file being written; renamed over {@link #RECOVERY_POINT_FILE} once forced. */
    static final String RECOVERY_POINT_TEMP_FILE = RECOVERY_POINT_FILE + ".tmp";
    /** Decimal digits of the zero-padded base offset in a segment file name: every long fits, names sort. */
    static final int FILE_NAME_DIGITS = 20;
    /** Written at close after everything was forced; deleted at open. */
    static final String CLEAN_SHUTDOWN_FILE = ".clean_shutdown";
    /**
     * {@code <base>.log.swap}: the new last segment a truncation wrote, forced, before it retired the old segments
     * from that base on; recovery installs it once {@code <base>.log} is gone, else deletes it (STORAGE.md,
     * "Truncation").
     */
    static final String SWAP_SUFFIX = ".log.swap";
    /**
     * {@code <base>.log.fullswap}: the empty segment a full truncation ({@code truncateFullyAndStartAt}) wrote before
     * it retired every old segment; recovery installs it (and the log starts there) once no segment is left, else
     * deletes it.
     */
    static final String FULL_SWAP_SUFFIX = ".log.fullswap";
    /** The leader-epoch cache ({@link LeaderEpochLayout}). */
    static final String LEADER_EPOCH_FILE = "leader-epoch-checkpoint";
    static final String LEADER_EPOCH_TEMP_FILE = LEADER_EPOCH_FILE + ".tmp";
    /** The checkpointed high watermark ({@link HighWatermarkLayout}). */
    static final String HIGH_WATERMARK_FILE = "high-watermark";
    static final String HIGH_WATERMARK_TEMP_FILE = HIGH_WATERMARK_FILE + ".tmp";
    /** {@code <offset>.snapshot}: the producer state after every batch below offset ({@link ProducerStateLayout}). */
    static final String SNAPSHOT_SUFFIX = ".snapshot";
    static final String SNAPSHOT_TEMP_SUFFIX = SNAPSHOT_SUFFIX + ".tmp";

    private SegmentLayout() {
    }

    /** {@code 00000000000000000042.log} for base offset 42. */
    static String fileName(long baseOffset) {
        return fileName(baseOffset, SEGMENT_SUFFIX);
    }

    /** {@code 00000000000000000042<suffix>} for base offset 42, e.g. {@code .index}. */
    static String fileName(long baseOffset, String suffix) {
        if (baseOffset < 0) {
            throw new IllegalArgumentException("base offset " + baseOffset + " < 0");
        }
        String digits = Long.toString(baseOffset);
        StringBuilder name = new StringBuilder(FILE_NAME_DIGITS + suffix.length());
        for (int i = digits.length(); i < FILE_NAME_DIGITS; i++) {
            name.append('0');
        }
        return name.append(digits).append(suffix).toString();
    }

    /** The base offset a segment file name encodes, or -1 when the name is not a segment file's. */
    static long parseBaseOffset(String fileName) {
        return parseBaseOffset(fileName, SEGMENT_SUFFIX);
    }

    /** The base offset a {@code <20 digits><suffix>} file name encodes, or -1 when it is not such a name. */
    static long parseBaseOffset(String fileName, String suffix) {
        if (fileName.length() != FILE_NAME_DIGITS + suffix.length() || !fileName.endsWith(suffix)) {
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
