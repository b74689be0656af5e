package io.yak.broker.log;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Stored data that recovery must not repair: damage in a sealed segment, a segment whose header is not a YaK
 * header, or segments whose offsets do not follow each other. Thrown by {@link PartitionLog#open}; the broker takes
 * that partition offline and keeps serving the others. The message names the partition, the file and the position.
 */
public final class LogCorruptedException extends IOException {
    private static final long serialVersionUID = 1L;

    private final transient Path file;
    private final long position;

    public LogCorruptedException(String partition, Path file, long position, String reason) {
        super("partition " + partition + ": corrupt segment " + file + " at position " + position + ": " + reason
            + " (the partition stays offline; repair or remove the file by hand)");
        this.file = file;
        this.position = position;
    }

    public LogCorruptedException(String partition, Path file, long position, String reason, Throwable cause) {
        this(partition, file, position, reason);
        initCause(cause);
    }

    /** The damaged segment file. */
    public Path file() {
        return file;
    }

    /** Byte position in {@link #file()} where the damage starts. */
    public long position() {
        return position;
    }
}
