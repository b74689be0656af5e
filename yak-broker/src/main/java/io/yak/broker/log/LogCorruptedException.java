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
        this("partition " + partition + ": corrupt segment " + file + " at position " + position + ": " + reason
            + " (the partition stays offline; repair or remove the file by hand)", file, position);
    }

    private LogCorruptedException(String message, Path file, long position) {
        super(message);
        this.file = file;
        this.position = position;
    }

    /**
     * The log ends below its recovery point: records that had been forced to disk are gone (a segment removed or
     * cut short while the broker was down, or damage). {@link #file()} is the last segment (or the directory when
     * none is left), {@link #position()} -1.
     */
    static LogCorruptedException forcedRecordsGone(String partition, Path last, long end, long recoveryPoint,
                                                   Path recoveryPointFile) {
        return new LogCorruptedException("partition " + partition + ": the log ends at offset " + end
            + ", below its recovery point " + recoveryPoint + ": records that had been forced to disk are gone (a "
            + "segment removed or cut short by hand, or disk damage; last segment " + last + "). The partition stays "
            + "offline rather than give offsets " + end + ".." + (recoveryPoint - 1) + " to new records; restore the "
            + "missing data, or delete " + recoveryPointFile + " to accept the loss and continue from offset " + end
            + " (new records then get offsets " + end + ".." + (recoveryPoint - 1) + " again: reset any consumer "
            + "group committed past " + end + ", or it skips them)", last, -1);
    }

    /**
     * Offsets {@code from..to-1} are in no segment file: a segment removed by hand, or damage. {@link #file()} is
     * the intact segment after the hole; the operator restores the missing one(s), not this.
     */
    static LogCorruptedException missingSegments(String partition, Path after, long from, long to, String detail) {
        return new LogCorruptedException("partition " + partition + ": offsets " + from + ".." + (to - 1)
            + " are missing: " + detail + " (a segment file removed by hand, or damage; " + after.getFileName()
            + " itself is intact, do not remove it). The partition stays offline rather than serve a log with a "
            + "hole; restore the segment file(s) that held them", after, 0);
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
