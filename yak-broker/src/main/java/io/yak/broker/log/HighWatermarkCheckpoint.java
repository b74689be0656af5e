package io.yak.broker.log;

import static io.yak.broker.log.HighWatermarkLayout.CRC_OFFSET;
import static io.yak.broker.log.HighWatermarkLayout.FILE_LENGTH;
import static io.yak.broker.log.HighWatermarkLayout.FORMAT_VERSION;
import static io.yak.broker.log.HighWatermarkLayout.FORMAT_VERSION_OFFSET;
import static io.yak.broker.log.HighWatermarkLayout.HIGH_WATERMARK_OFFSET;
import static io.yak.broker.log.HighWatermarkLayout.MAGIC;
import static io.yak.broker.log.HighWatermarkLayout.MAGIC_OFFSET;
import static io.yak.broker.log.HighWatermarkLayout.RESERVED_OFFSET;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A partition's {@code high-watermark} file ({@code STORAGE.md}, "High-watermark file"): the high watermark the
 * partition writer last checkpointed, so that a restarted broker does not start its high watermark from the log start
 * offset. Replaced atomically (temp file, force, rename, fsync of the directory; in place when the disk is too full
 * for the temp file: the CRC32C tells a torn write). Writer thread or open only.
 */
final class HighWatermarkCheckpoint {
    private static final Logger LOG = LoggerFactory.getLogger(HighWatermarkCheckpoint.class);

    private HighWatermarkCheckpoint() {
    }

    /**
     * Reads {@code <directory>/high-watermark}.
     *
     * @return -1 when there is no such file
     * @throws InvalidFileException when it exists but its size, magic, version, CRC32C or value is wrong
     */
    static long read(Path directory) throws IOException, InvalidFileException {
        Path file = directory.resolve(SegmentLayout.HIGH_WATERMARK_FILE);
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return -1;
        }
        if (bytes.length != FILE_LENGTH) {
            throw new InvalidFileException(file + " has " + bytes.length + " bytes, not " + FILE_LENGTH);
        }
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        if (buf.getInt(MAGIC_OFFSET) != MAGIC) {
            throw new InvalidFileException(file + ": magic 0x" + Integer.toHexString(buf.getInt(MAGIC_OFFSET))
                + " != 0x" + Integer.toHexString(MAGIC));
        }
        if (buf.getShort(FORMAT_VERSION_OFFSET) != FORMAT_VERSION) {
            throw new InvalidFileException(file + ": format version " + buf.getShort(FORMAT_VERSION_OFFSET)
                + ", this broker reads " + FORMAT_VERSION);
        }
        int crc = crc(bytes);
        if (buf.getInt(CRC_OFFSET) != crc) {
            throw new InvalidFileException(file + ": CRC32C mismatch: stored "
                + Integer.toHexString(buf.getInt(CRC_OFFSET)) + ", computed " + Integer.toHexString(crc));
        }
        long value = buf.getLong(HIGH_WATERMARK_OFFSET);
        if (value < 0) {
            throw new InvalidFileException(file + ": high watermark " + value + " < 0");
        }
        return value;
    }

    /** Replaces {@code <directory>/high-watermark} atomically with {@code highWatermark}. Blocks. */
    static void write(Path directory, long highWatermark) throws IOException {
        byte[] bytes = new byte[FILE_LENGTH];
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        buf.putInt(MAGIC_OFFSET, MAGIC);
        buf.putShort(FORMAT_VERSION_OFFSET, FORMAT_VERSION);
        buf.putShort(RESERVED_OFFSET, (short) 0);
        buf.putLong(HIGH_WATERMARK_OFFSET, highWatermark);
        buf.putInt(CRC_OFFSET, crc(bytes));
        Path file = directory.resolve(SegmentLayout.HIGH_WATERMARK_FILE);
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
