package io.yak.broker.log;

/**
 * Settings of one partition log, immutable and validated when built (the broker maps its {@code segment.bytes},
 * {@code index.interval.bytes}, {@code flush.messages} and {@code flush.ms} keys to it). See {@code STORAGE.md},
 * "fsync policy".
 *
 * @param segmentBytes       capacity a new segment file is preallocated and mapped with; an append that does not fit
 *                           the active segment rolls a new one (an append larger than this gets a segment of its own
 *                           size)
 * @param indexIntervalBytes bytes of batches between two entries of a segment's sparse offset index
 * @param flushMessages      force the active segment after this many records were appended since the last force;
 *                           {@link Long#MAX_VALUE} leaves write-back to the operating system
 * @param flushMs            force when an append (or {@link PartitionLog#maybeFlush()}) finds the last force this
 *                           many milliseconds ago; {@link Long#MAX_VALUE} disables the time policy
 */
public record LogConfig(int segmentBytes, int indexIntervalBytes, long flushMessages, long flushMs) {
    /** Smallest accepted {@code segmentBytes}. */
    public static final int MIN_SEGMENT_BYTES = 1024;
    public static final int DEFAULT_SEGMENT_BYTES = 64 * 1024 * 1024;
    public static final int DEFAULT_INDEX_INTERVAL_BYTES = 4096;

    public LogConfig {
        if (segmentBytes < MIN_SEGMENT_BYTES) {
            throw new IllegalArgumentException("segment.bytes " + segmentBytes + " < " + MIN_SEGMENT_BYTES);
        }
        if (indexIntervalBytes < 0) {
            throw new IllegalArgumentException("index.interval.bytes " + indexIntervalBytes + " < 0");
        }
        if (flushMessages < 1) {
            throw new IllegalArgumentException("flush.messages " + flushMessages + " < 1");
        }
        if (flushMs < 0) {
            throw new IllegalArgumentException("flush.ms " + flushMs + " < 0");
        }
    }

    /** 64 MiB segments, an index entry every 4096 bytes, no forced flushes (the OS writes back). */
    public static LogConfig defaults() {
        return new LogConfig(DEFAULT_SEGMENT_BYTES, DEFAULT_INDEX_INTERVAL_BYTES, Long.MAX_VALUE, Long.MAX_VALUE);
    }

    public LogConfig withSegmentBytes(int bytes) {
        return new LogConfig(bytes, indexIntervalBytes, flushMessages, flushMs);
    }

    public LogConfig withIndexIntervalBytes(int bytes) {
        return new LogConfig(segmentBytes, bytes, flushMessages, flushMs);
    }

    public LogConfig withFlushMessages(long messages) {
        return new LogConfig(segmentBytes, indexIntervalBytes, messages, flushMs);
    }

    public LogConfig withFlushMs(long ms) {
        return new LogConfig(segmentBytes, indexIntervalBytes, flushMessages, ms);
    }
}
