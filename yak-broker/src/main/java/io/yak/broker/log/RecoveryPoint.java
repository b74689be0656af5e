package io.yak.broker.log;

import static io.yak.broker.log.RecoveryPointLayout.FILE_LENGTH;
import static io.yak.broker.log.RecoveryPointLayout.FORMAT_VERSION;
import static io.yak.broker.log.RecoveryPointLayout.LOG_START_OFFSET_OFFSET;
import static io.yak.broker.log.RecoveryPointLayout.MAGIC;
import static io.yak.broker.log.RecoveryPointLayout.RECOVERY_POINT_OFFSET;
import static io.yak.broker.log.RecoveryPointLayout.SEGMENT_BASE_OFFSET;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * Contents of a partition's {@code recovery-point} file ({@code STORAGE.md}, "Recovery-point file"): every record
 * below {@code offset} was forced to disk, {@code segmentBase} is the base offset of the segment holding that offset,
 * and {@code logStartOffset} is the first offset retention kept. Replaced atomically (temp file, force, rename, fsync
 * of the directory). Written by the partition writer thread only.
 *
 * @param offset         recovery point: offsets below it are durable
 * @param segmentBase    base offset of the segment that contains {@code offset}
 * @param logStartOffset first offset of the log
 */
record RecoveryPoint(long offset, long segmentBase, long logStartOffset) {
    /**
     * Reads {@code <directory>/recovery-point}.
     *
     * @return null when there is no such file
     * @throws InvalidFileException when the file exists but its size, magic, version, CRC32C or values are wrong
     */
    static RecoveryPoint read(Path directory) throws IOException, InvalidFileException {
        Path file = directory.resolve(SegmentLayout.RECOVERY_POINT_FILE);
        ByteBuffer buf = MetadataFile.read(file, MAGIC, FORMAT_VERSION, FILE_LENGTH, FILE_LENGTH);
        if (buf == null) {
            return null;
        }
        long offset = buf.getLong(RECOVERY_POINT_OFFSET);
        long segmentBase = buf.getLong(SEGMENT_BASE_OFFSET);
        long logStart = buf.getLong(LOG_START_OFFSET_OFFSET);
        if (segmentBase < 0 || offset < segmentBase || logStart < 0) {
            throw new InvalidFileException(file + ": recovery point " + offset + ", segment base " + segmentBase
                + ", log start offset " + logStart);
        }
        return new RecoveryPoint(offset, segmentBase, logStart);
    }

    /**
     * Replaces {@code <directory>/recovery-point} atomically: writes and forces a temp file, renames it over the old
     * one and fsyncs the directory. Blocks; writer thread or open only.
     */
    void write(Path directory) throws IOException {
        ByteBuffer buf = MetadataFile.create(FILE_LENGTH, MAGIC, FORMAT_VERSION);
        buf.putLong(RECOVERY_POINT_OFFSET, offset);
        buf.putLong(SEGMENT_BASE_OFFSET, segmentBase);
        buf.putLong(LOG_START_OFFSET_OFFSET, logStartOffset);
        // via recovery-point.tmp; on a disk too full for that, in place (a torn write fails the CRC32C: the file is
        // then ignored and every segment checked), so retention can still free space
        MetadataFile.write(directory.resolve(SegmentLayout.RECOVERY_POINT_FILE), buf);
    }
}
