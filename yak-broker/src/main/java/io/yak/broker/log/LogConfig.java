package io.yak.broker.log;

/**
 * Settings of one partition log, immutable and validated when built (the broker maps its {@code segment.bytes},
 * {@code index.interval.bytes}, {@code flush.messages}, {@code flush.ms}, {@code segment.ms},
 * {@code file.delete.delay.ms} and {@code producer.id.expiration.ms} keys to it). See {@code STORAGE.md}, "fsync
 * policy", "Retention" and "Producer state".
 *
 * @param segmentBytes       capacity a new segment is mapped with (its file grows as blocks are allocated ahead of
 *                           the data); an append that does not fit
 *                           the active segment rolls a new one (an append larger than this gets a segment of its own
 *                           size)
 * @param indexIntervalBytes bytes of batches between two entries of a segment's sparse offset index (and at most one
 *                           time index entry per interval); 0 indexes every batch
 * @param flushMessages      force the active segment after this many records were appended since the last force;
 *                           {@link Long#MAX_VALUE} leaves write-back to the operating system
 * @param flushMs            force when an append (or {@link PartitionLog#maybeFlush()}) finds the last force this
 *                           many milliseconds ago; {@link Long#MAX_VALUE} disables the time policy
 * @param segmentMs          roll the active segment at the next append once its first batch went in this many
 *                           milliseconds ago (by the log's clock); {@link Long#MAX_VALUE} rolls by size only
 * @param fileDeleteDelayMs  how long a segment deleted by retention, and a mapping replaced by a seal, stay mapped
 *                           for readers that still hold buffers from {@link PartitionLog#read} before they are
 *                           unmapped (and the files deleted)
 * @param producerIdExpirationMs an idempotent producer that stored nothing in the partition for this long is
 *                           forgotten (Kafka's {@code producer.id.expiration.ms}): its next batch may start at any
 *                           sequence, and a retry of its older batches is no longer recognised
 */
public record LogConfig(int segmentBytes, int indexIntervalBytes, long flushMessages, long flushMs, long segmentMs,
                        long fileDeleteDelayMs, long producerIdExpirationMs) {
    /** Smallest accepted {@code segmentBytes}. */
    public static final int MIN_SEGMENT_BYTES = 1024;
    public static final int DEFAULT_SEGMENT_BYTES = 64 * 1024 * 1024;
    public static final int DEFAULT_INDEX_INTERVAL_BYTES = 4096;
    /** Seven days, as Kafka's {@code segment.ms}. */
    public static final long DEFAULT_SEGMENT_MS = 7L * 24 * 60 * 60 * 1000;
    /** One minute, as Kafka's {@code file.delete.delay.ms}. */
    public static final long DEFAULT_FILE_DELETE_DELAY_MS = 60_000;
    /** One day, as Kafka's {@code producer.id.expiration.ms}. */
    public static final long DEFAULT_PRODUCER_ID_EXPIRATION_MS = 24L * 60 * 60 * 1000;

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
        if (segmentMs < 1) {
            throw new IllegalArgumentException("segment.ms " + segmentMs + " < 1");
        }
        if (fileDeleteDelayMs < 0) {
            throw new IllegalArgumentException("file.delete.delay.ms " + fileDeleteDelayMs + " < 0");
        }
        if (producerIdExpirationMs < 1) {
            throw new IllegalArgumentException("producer.id.expiration.ms " + producerIdExpirationMs + " < 1");
        }
    }

    /** Segment, index and flush settings; the others get their defaults. */
    public LogConfig(int segmentBytes, int indexIntervalBytes, long flushMessages, long flushMs) {
        this(segmentBytes, indexIntervalBytes, flushMessages, flushMs, DEFAULT_SEGMENT_MS,
            DEFAULT_FILE_DELETE_DELAY_MS);
    }

    /** All but {@code producer.id.expiration.ms}, which gets its default. */
    public LogConfig(int segmentBytes, int indexIntervalBytes, long flushMessages, long flushMs, long segmentMs,
                     long fileDeleteDelayMs) {
        this(segmentBytes, indexIntervalBytes, flushMessages, flushMs, segmentMs, fileDeleteDelayMs,
            DEFAULT_PRODUCER_ID_EXPIRATION_MS);
    }

    /**
     * 64 MiB segments rolled at least every 7 days, an index entry every 4096 bytes, no forced flushes (the OS
     * writes back), deleted files unmapped after one minute.
     */
    public static LogConfig defaults() {
        return new LogConfig(DEFAULT_SEGMENT_BYTES, DEFAULT_INDEX_INTERVAL_BYTES, Long.MAX_VALUE, Long.MAX_VALUE);
    }

    public LogConfig withSegmentBytes(int bytes) {
        return new LogConfig(bytes, indexIntervalBytes, flushMessages, flushMs, segmentMs, fileDeleteDelayMs,
            producerIdExpirationMs);
    }

    public LogConfig withIndexIntervalBytes(int bytes) {
        return new LogConfig(segmentBytes, bytes, flushMessages, flushMs, segmentMs, fileDeleteDelayMs,
            producerIdExpirationMs);
    }

    public LogConfig withFlushMessages(long messages) {
        return new LogConfig(segmentBytes, indexIntervalBytes, messages, flushMs, segmentMs, fileDeleteDelayMs,
            producerIdExpirationMs);
    }

    public LogConfig withFlushMs(long ms) {
        return new LogConfig(segmentBytes, indexIntervalBytes, flushMessages, ms, segmentMs, fileDeleteDelayMs,
            producerIdExpirationMs);
    }

    public LogConfig withSegmentMs(long ms) {
        return new LogConfig(segmentBytes, indexIntervalBytes, flushMessages, flushMs, ms, fileDeleteDelayMs,
            producerIdExpirationMs);
    }

    public LogConfig withProducerIdExpirationMs(long ms) {
        return new LogConfig(segmentBytes, indexIntervalBytes, flushMessages, flushMs, segmentMs, fileDeleteDelayMs,
            ms);
    }

    public LogConfig withFileDeleteDelayMs(long ms) {
        return new LogConfig(segmentBytes, indexIntervalBytes, flushMessages, flushMs, segmentMs, ms,
            producerIdExpirationMs);
    }
}
