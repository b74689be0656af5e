package io.yak.broker.log;

import static io.yak.broker.log.HighWatermarkLayout.FILE_LENGTH;
import static io.yak.broker.log.HighWatermarkLayout.FORMAT_VERSION;
import static io.yak.broker.log.HighWatermarkLayout.HIGH_WATERMARK_OFFSET;
import static io.yak.broker.log.HighWatermarkLayout.MAGIC;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * A partition's {@code high-watermark} file ({@code STORAGE.md}, "High-watermark file"): the high watermark the
 * partition writer last checkpointed, so that a restarted broker does not start its high watermark from the log start
 * offset. Replaced atomically (temp file, force, rename, fsync of the directory; in place when the disk is too full
 * for the temp file: the CRC32C tells a torn write), see {@link MetadataFile}. Writer thread or open only.
 */
final class HighWatermarkCheckpoint {
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
        ByteBuffer buf = MetadataFile.read(file, MAGIC, FORMAT_VERSION, FILE_LENGTH, FILE_LENGTH);
        if (buf == null) {
            return -1;
        }
        long value = buf.getLong(HIGH_WATERMARK_OFFSET);
        if (value < 0) {
            throw new InvalidFileException(file + ": high watermark " + value + " < 0");
        }
        return value;
    }

    /** Replaces {@code <directory>/high-watermark} atomically with {@code highWatermark}. Blocks. */
    static void write(Path directory, long highWatermark) throws IOException {
        ByteBuffer buf = MetadataFile.create(FILE_LENGTH, MAGIC, FORMAT_VERSION);
        buf.putLong(HIGH_WATERMARK_OFFSET, highWatermark);
        MetadataFile.write(directory.resolve(SegmentLayout.HIGH_WATERMARK_FILE), buf);
    }
}
