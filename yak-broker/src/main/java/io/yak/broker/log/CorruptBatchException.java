package io.yak.broker.log;

import java.nio.file.Path;

/**
 * A read ({@link PartitionLog#read}, {@link PartitionLog#offsetForTimestamp}) found a batch that fails its checks
 * (length bounds, magic, contiguous offsets, or CRC32C for a segment that recovery trusted without checking it):
 * the batch is not served. Stored data is damaged: the broker should answer {@code STORAGE_ERROR} and take the
 * partition offline until an operator repairs it; reads of batches before the damaged one keep working. The
 * message names the partition, the segment file and the position. See {@code STORAGE.md}, "Reads".
 */
public final class CorruptBatchException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient Path file;
    private final long position;

    public CorruptBatchException(String partition, Path file, long position, String reason) {
        super("partition " + partition + ": corrupt batch in segment " + file + " at position " + position + ": "
            + reason + " (not served; take the partition offline and repair or remove the segment)");
        this.file = file;
        this.position = position;
    }

    /** The damaged segment file. */
    public Path file() {
        return file;
    }

    /** Byte position of the damaged batch in {@link #file()}. */
    public long position() {
        return position;
    }
}
