package io.yak.broker.log;

import static io.yak.broker.log.RecoveryPointLayout.CRC_OFFSET;
import static io.yak.broker.log.RecoveryPointLayout.FILE_LENGTH;
import static io.yak.broker.log.RecoveryPointLayout.FORMAT_VERSION;
import static io.yak.broker.log.RecoveryPointLayout.FORMAT_VERSION_OFFSET;
import static io.yak.broker.log.RecoveryPointLayout.LOG_START_OFFSET_OFFSET;
import static io.yak.broker.log.RecoveryPointLayout.MAGIC;
import static io.yak.broker.log.RecoveryPointLayout.MAGIC_OFFSET;
import static io.yak.broker.log.RecoveryPointLayout.RECOVERY_POINT_OFFSET;
import static io.yak.broker.log.RecoveryPointLayout.RESERVED_OFFSET;
import static io.yak.broker.log.RecoveryPointLayout.SEGMENT_BASE_OFFSET;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
    private static final Logger LOG = LoggerFactory.getLogger(RecoveryPoint.class);

    /** Thrown by {@link #read} for a file that is there but not a valid recovery point. */
    static final class InvalidException extends Exception {
        private static final long serialVersionUID = 1L;

        InvalidException(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * Reads {@code <directory>/recovery-point}.
     *
     * @return null when there is no such file
     * @throws InvalidException when the file exists but its size, magic, version, CRC32C or values are wrong
     */
    static RecoveryPoint read(Path directory) throws IOException, InvalidException {
        Path file = directory.resolve(SegmentLayout.RECOVERY_POINT_FILE);
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return null;
        }
        if (bytes.length != FILE_LENGTH) {
            throw new InvalidException(file + " has " + bytes.length + " bytes, not " + FILE_LENGTH);
        }
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        if (buf.getInt(MAGIC_OFFSET) != MAGIC) {
            throw new InvalidException(file + ": magic 0x" + Integer.toHexString(buf.getInt(MAGIC_OFFSET)) + " != 0x"
                + Integer.toHexString(MAGIC));
        }
        if (buf.getShort(FORMAT_VERSION_OFFSET) != FORMAT_VERSION) {
            throw new InvalidException(file + ": format version " + buf.getShort(FORMAT_VERSION_OFFSET)
                + ", this broker reads " + FORMAT_VERSION);
        }
        int crc = crc(bytes);
        if (buf.getInt(CRC_OFFSET) != crc) {
            throw new InvalidException(file + ": CRC32C mismatch: stored "
                + Integer.toHexString(buf.getInt(CRC_OFFSET)) + ", computed " + Integer.toHexString(crc));
        }
        long offset = buf.getLong(RECOVERY_POINT_OFFSET);
        long segmentBase = buf.getLong(SEGMENT_BASE_OFFSET);
        long logStart = buf.getLong(LOG_START_OFFSET_OFFSET);
        if (segmentBase < 0 || offset < segmentBase || logStart < 0) {
            throw new InvalidException(file + ": recovery point " + offset + ", segment base " + segmentBase
                + ", log start offset " + logStart);
        }
        return new RecoveryPoint(offset, segmentBase, logStart);
    }

    /**
     * Replaces {@code <directory>/recovery-point} atomically: writes and forces a temp file, renames it over the old
     * one and fsyncs the directory. Blocks; writer thread or open only.
     */
    void write(Path directory) throws IOException {
        byte[] bytes = new byte[FILE_LENGTH];
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        buf.putInt(MAGIC_OFFSET, MAGIC);
        buf.putShort(FORMAT_VERSION_OFFSET, FORMAT_VERSION);
        buf.putShort(RESERVED_OFFSET, (short) 0);
        buf.putLong(RECOVERY_POINT_OFFSET, offset);
        buf.putLong(SEGMENT_BASE_OFFSET, segmentBase);
        buf.putLong(LOG_START_OFFSET_OFFSET, logStartOffset);
        buf.putInt(CRC_OFFSET, crc(bytes));
        Path file = directory.resolve(SegmentLayout.RECOVERY_POINT_FILE);
        // via recovery-point.tmp; on a disk too full for that, in place (a torn write fails the CRC32C: the file is
        // then ignored and every segment checked), so retention can still free space
        if (DurableFiles.replaceOrOverwrite(file, bytes)) {
            LOG.warn("{}: no space for {}.tmp (disk full?), overwrote it in place", file, file.getFileName());
        }
    }

    private static int crc(byte[] bytes) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, CRC_OFFSET);
        return (int) crc.getValue();
    }
}
