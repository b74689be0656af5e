package io.yak.broker.log;

import static io.yak.broker.log.SegmentLayout.HEADER_LENGTH;
import static io.yak.wire.record.RecordBatchLayout.LOG_OVERHEAD;
import static io.yak.wire.record.RecordBatchLayout.MAGIC_V2;
import static io.yak.wire.record.RecordBatchLayout.MIN_BATCH_LENGTH;
import static io.yak.wire.record.RecordBatchLayout.RECORDS_OFFSET;
import static java.nio.file.StandardOpenOption.CREATE;
import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.TRUNCATE_EXISTING;
import static java.nio.file.StandardOpenOption.WRITE;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.yak.wire.record.RecordBatchFlyweight;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The log of one partition: an ordered list of memory-mapped segment files in one directory ({@code STORAGE.md}).
 *
 * <p>Threads: exactly one writer thread per partition calls {@link #append}, {@link #flush}, {@link #maybeFlush}
 * and {@link #close}; those may block on the file system (rolling creates and maps a file and forces the old one;
 * the flush policy forces), so the writer must not be an event loop. {@link #open} recovers the directory and may
 * take long; call it off the event loop too. {@link #read}, {@link #logStartOffset()}, {@link #logEndOffset()} and
 * {@link #segmentCount()} are safe from any thread at any time before {@link #close}: the writer copies batches
 * behind a published end and moves the end (volatile) only after all of an append's bytes are in place.
 *
 * <p>Buffers: {@link #append} borrows its argument. {@link #read} returns a read-only view of the mapped file that
 * the caller owns (releasing it is harmless and frees nothing); it stays valid until {@link #close}, which unmaps
 * the files: the broker must stop serving a partition (and drop or finish writing its buffers) before closing it.
 *
 * <p>Durability: a successful append is in the page cache and survives a crash of the process; it survives a power
 * loss only once forced, by the flush policy ({@link LogConfig#flushMessages()}, {@link LogConfig#flushMs()}), by
 * {@link #flush()}, by a roll (sealing forces the old segment) or by {@link #close()}.
 */
public final class PartitionLog implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PartitionLog.class);

    private final Path directory;
    private final String name;
    private final LogConfig config;
    private final LongSupplier clockMs;
    /** Writer thread: checks appended batches. */
    private final RecordBatchFlyweight batch = new RecordBatchFlyweight();

    /** Segments in offset order, the last one active; replaced (copy on write) by a roll. */
    private volatile Segments segments;
    private volatile long logStartOffset;
    /** Published next offset: every offset below it is readable. Written after the segment's end moved. */
    private volatile long logEndOffset;
    private volatile boolean closed;

    // Owned by the writer thread.
    private Segment active;
    private long nextOffset;
    private long unflushedMessages;
    private long lastFlushMs;
    private long forceCount;
    /** Set when a write or roll failed half way; appends are refused until the log is reopened (and recovered). */
    private IOException failure;

    private PartitionLog(Path directory, String name, LogConfig config, LongSupplier clockMs, List<Segment> list) {
        this.directory = directory;
        this.name = name;
        this.config = config;
        this.clockMs = clockMs;
        this.segments = new Segments(list.toArray(new Segment[0]));
        this.active = list.get(list.size() - 1);
        this.nextOffset = active.nextOffset();
        this.logStartOffset = list.get(0).baseOffset;
        this.logEndOffset = nextOffset;
        this.lastFlushMs = clockMs.getAsLong();
    }

    /** {@code <dataDir>/<topic>-<partition>}, the directory of a partition's log. */
    public static Path directoryFor(Path dataDir, String topic, int partition) {
        return dataDir.resolve(topic + "-" + partition);
    }

    /** {@link #open(Path, String, int, LogConfig, LongSupplier)} with the system clock. */
    public static PartitionLog open(Path partitionDir, String topic, int partition, LogConfig config)
        throws IOException {
        return open(partitionDir, topic, partition, config, System::currentTimeMillis);
    }

    /**
     * Opens (creating the directory and a first segment at offset 0 if needed) and recovers a partition log. Blocks
     * on file I/O: every segment is mapped and scanned, CRC32C-checked unless the last run shut down cleanly.
     *
     * @param clockMs milliseconds, for the {@code flush.ms} policy
     * @throws LogCorruptedException when a sealed segment is damaged or segments do not follow each other: the
     *                               partition must stay offline
     * @throws IOException           on other file system errors
     */
    public static PartitionLog open(Path partitionDir, String topic, int partition, LogConfig config,
                                    LongSupplier clockMs) throws IOException {
        Objects.requireNonNull(partitionDir, "partitionDir");
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(clockMs, "clockMs");
        if (partition < 0) {
            throw new IllegalArgumentException("partition " + partition + " < 0");
        }
        String name = topic + "-" + partition;
        long startedNs = System.nanoTime();
        Files.createDirectories(partitionDir);
        boolean clean = Files.deleteIfExists(partitionDir.resolve(SegmentLayout.CLEAN_SHUTDOWN_FILE));
        if (clean) {
            // A crash from here on must not find the marker again.
            syncDirectory(partitionDir);
        }
        List<Segment> list = LogRecovery.recover(partitionDir, name, config, clean);
        if (list.isEmpty()) {
            Segment first = Segment.create(partitionDir, 0, config.segmentBytes());
            list = List.of(first);
            try {
                syncDirectory(partitionDir);
            } catch (IOException e) {
                first.release();
                throw e;
            }
        }
        PartitionLog log = new PartitionLog(partitionDir, name, config, clockMs, list);
        LOG.info("opened partition log {} in {}: {} segment(s), offsets [{}, {}), clean shutdown {}, {} ms", name,
            partitionDir, list.size(), log.logStartOffset, log.logEndOffset, clean,
            (System.nanoTime() - startedNs) / 1_000_000);
        return log;
    }

    /**
     * Writer thread only. Appends one or more complete record batches, {@code batches[readerIndex, writerIndex)},
     * that the caller already validated (CRC32C included; it is not recomputed here, only under {@code -ea}).
     * Stamps base offsets, contiguous from {@link #logEndOffset()}, and {@code leaderEpoch} into the stored copy;
     * {@code batches} is borrowed and not modified (neither its bytes nor its indexes). All batches of one call go
     * to one segment: a roll happens first when they do not fit the active one. Readers see none of the batches
     * until all are copied; then the log end moves past all of them. May force per the flush policy, before the
     * end moves.
     *
     * @return the offset given to the first record
     * @throws IllegalArgumentException when the bytes are not a sequence of whole v2 batches (a caller bug)
     * @throws IOException              when the disk fails; the log then refuses appends until reopened (a batch
     *                                  of a failed append may or may not be there after recovery, like any write
     *                                  that was not acknowledged)
     */
    public long append(ByteBuf batches, int leaderEpoch) throws IOException {
        checkWritable();
        int from = batches.readerIndex();
        int to = batches.writerIndex();
        long records = checkBatches(batches, from, to);
        Segment segment = segmentFor(to - from);
        long baseOffset = nextOffset;
        int newEnd;
        try {
            newEnd = segment.write(batches, from, to, baseOffset, leaderEpoch);
            if (flushDue(records)) {
                segment.force(newEnd);
                flushed();
            } else {
                unflushedMessages += records;
            }
        } catch (InternalError e) {
            // A fault on mapped memory (SIGBUS), e.g. no disk space left behind the sparse preallocation.
            throw fail(new IOException("partition " + name + ": writing " + segment.file + " failed (disk full?)", e));
        } catch (IOException e) {
            throw fail(e);
        }
        segment.publish(newEnd, baseOffset + records, config.indexIntervalBytes());
        nextOffset = baseOffset + records;
        logEndOffset = nextOffset;
        return baseOffset;
    }

    private long checkBatches(ByteBuf src, int from, int to) {
        if (to - from > Integer.MAX_VALUE - HEADER_LENGTH) {
            throw new IllegalArgumentException("append of " + (to - from) + " bytes to partition " + name);
        }
        long records = 0;
        int index = from;
        do {
            batch.wrap(src, index, to);
            if (!batch.headerFits()) {
                throw badBatch(index, "header needs " + RECORDS_OFFSET + " bytes, " + (to - index) + " left");
            }
            int length = batch.batchLength();
            if (length < MIN_BATCH_LENGTH || length > to - index - LOG_OVERHEAD) {
                throw badBatch(index, "length " + length + " outside " + MIN_BATCH_LENGTH + ".."
                    + (to - index - LOG_OVERHEAD));
            }
            if (batch.magic() != MAGIC_V2) {
                throw badBatch(index, "magic " + batch.magic());
            }
            int count = batch.recordCount();
            if (count <= 0 || batch.lastOffsetDelta() != count - 1) {
                throw badBatch(index, "record count " + count + ", last offset delta " + batch.lastOffsetDelta());
            }
            assert batch.crc() == batch.computeCrc() : "append of a batch with a bad CRC32C to partition " + name;
            records += count;
            index += LOG_OVERHEAD + length;
        } while (index < to);
        return records;
    }

    private IllegalArgumentException badBatch(int index, String what) {
        return new IllegalArgumentException("append to partition " + name + ": batch at index " + index + ": " + what);
    }

    /** The segment the next {@code bytes} go to: the active one, grown when empty, or a new one after a roll. */
    private Segment segmentFor(int bytes) throws IOException {
        Segment current = active;
        if (current.hasRoomFor(bytes)) {
            return current;
        }
        int capacity = Math.max(config.segmentBytes(), HEADER_LENGTH + bytes);
        try {
            if (current.isEmpty()) {
                current.grow(capacity);
                return current;
            }
            current.seal();
            // Sealing forced everything appended so far.
            flushed();
            Segment next = Segment.create(directory, nextOffset, capacity);
            segments = segments.with(next);
            active = next;
            syncDirectory(directory);
            LOG.debug("partition {}: rolled segment {} at offset {}", name, next.file, nextOffset);
            return next;
        } catch (IOException e) {
            throw fail(e);
        } catch (InternalError e) {
            throw fail(new IOException("partition " + name + ": rolling a segment failed", e));
        }
    }

    private boolean flushDue(long newRecords) {
        return unflushedMessages + newRecords >= config.flushMessages()
            || config.flushMs() != Long.MAX_VALUE && clockMs.getAsLong() - lastFlushMs >= config.flushMs();
    }

    private void flushed() {
        unflushedMessages = 0;
        lastFlushMs = clockMs.getAsLong();
        forceCount++;
    }

    private IOException fail(IOException e) {
        if (failure == null) {
            failure = e;
            LOG.error("partition {}: log failed, appends are refused until it is reopened", name, e);
        }
        return e;
    }

    private void checkWritable() throws IOException {
        checkOpen();
        if (failure != null) {
            throw new IOException("partition " + name + ": log failed earlier, reopen it to recover", failure);
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("partition log " + name + " is closed");
        }
    }

    /** Offset of the first record still in the log. Any thread. */
    public long logStartOffset() {
        return logStartOffset;
    }

    /** Offset the next appended record gets; every offset below it is readable. Any thread. */
    public long logEndOffset() {
        return logEndOffset;
    }

    /**
     * Any thread. Whole batches, from the batch that contains {@code offset} on, all from one segment, totaling at
     * most {@code maxBytes} except that the first batch is always included whole. The caller skips the records of
     * the first batch below {@code offset}. Views the mapped file without copying: a read-only buffer the caller
     * owns (release is harmless), valid until {@link #close()}. Allocates two small objects per call.
     *
     * @return {@link Unpooled#EMPTY_BUFFER} when {@code offset == logEndOffset()}
     * @throws OffsetOutOfRangeException when {@code offset < logStartOffset()} or {@code offset > logEndOffset()}
     */
    public ByteBuf read(long offset, int maxBytes) {
        checkOpen();
        long end = logEndOffset;
        long start = logStartOffset;
        if (offset < start || offset > end) {
            throw new OffsetOutOfRangeException(name, offset, start, end);
        }
        if (offset == end) {
            return Unpooled.EMPTY_BUFFER;
        }
        // The segment holding offset was listed before the end moved past offset, and its end moved before that.
        return segments.floor(offset).read(offset, maxBytes);
    }

    /**
     * Writer thread only. Forces every appended byte of the active segment to disk (sealed segments were forced
     * when sealed). Blocks.
     */
    public void flush() throws IOException {
        checkWritable();
        try {
            active.force(active.end());
        } catch (IOException e) {
            throw fail(e);
        }
        flushed();
    }

    /**
     * Writer thread only. Forces when records are waiting and the last force is {@code flush.ms} or more ago;
     * call it periodically so {@code flush.ms} holds when appends stop.
     *
     * @return whether it forced
     */
    public boolean maybeFlush() throws IOException {
        checkWritable();
        if (unflushedMessages > 0 && config.flushMs() != Long.MAX_VALUE
            && clockMs.getAsLong() - lastFlushMs >= config.flushMs()) {
            flush();
            return true;
        }
        return false;
    }

    /** Number of segment files. Any thread. */
    public int segmentCount() {
        return segments.list.length;
    }

    public Path directory() {
        return directory;
    }

    /** {@code <topic>-<partition>}. */
    public String name() {
        return name;
    }

    public LogConfig config() {
        return config;
    }

    /** Forces done by the flush policy, {@link #flush()} and rolls; for tests and metrics. */
    long forceCount() {
        return forceCount;
    }

    /**
     * Writer thread, once no reader holds a buffer from {@link #read} and none will read again: forces the active
     * segment, truncates it to its real size, unmaps every segment and, if everything was forced, writes the
     * clean-shutdown marker (so the next open skips the CRC32C check of sealed segments). Idempotent.
     */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        Exception error = null;
        boolean forced = false;
        if (failure == null) {
            try {
                active.force(active.end());
                forced = true;
            } catch (IOException e) {
                error = e;
            }
        }
        for (Segment segment : segments.list) {
            try {
                segment.close();
            } catch (IOException | RuntimeException e) {
                error = addFailure(error, e);
            }
        }
        if (forced && error == null) {
            try {
                writeCleanShutdownMarker(directory);
            } catch (IOException e) {
                error = e;
            }
        }
        if (error != null) {
            LOG.warn("partition {}: closed with an error, no clean-shutdown marker", name, error);
            if (error instanceof IOException io) {
                throw io;
            }
            throw (RuntimeException) error;
        }
        LOG.debug("closed partition log {} at offsets [{}, {})", name, logStartOffset, logEndOffset);
    }

    /**
     * Writer thread: lets go of the log as a crash would leave it: no force, no truncation of the preallocated
     * tail, no clean-shutdown marker; only the mappings and file handles are released. The next open runs full
     * recovery. Brokers use it for an abrupt in-process stop, tests to stand in for {@code kill -9}.
     */
    public void abandon() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        IOException error = null;
        for (Segment segment : segments.list) {
            try {
                segment.release();
            } catch (IOException e) {
                error = error == null ? e : error;
            }
        }
        if (error != null) {
            throw error;
        }
    }

    private static Exception addFailure(Exception first, Exception next) {
        if (first == null) {
            return next;
        }
        first.addSuppressed(next);
        return first;
    }

    private static void writeCleanShutdownMarker(Path directory) throws IOException {
        try (FileChannel marker = FileChannel.open(directory.resolve(SegmentLayout.CLEAN_SHUTDOWN_FILE), CREATE,
            WRITE, TRUNCATE_EXISTING)) {
            marker.force(true);
        }
        syncDirectory(directory);
    }

    /** Makes file creations, deletions and renames in {@code directory} durable (Linux: fsync on the directory). */
    static void syncDirectory(Path directory) throws IOException {
        try (FileChannel dir = FileChannel.open(directory, READ)) {
            dir.force(true);
        }
    }

    @Override
    public String toString() {
        return "PartitionLog[" + name + " in " + directory + ", offsets [" + logStartOffset + ", " + logEndOffset
            + "), " + segmentCount() + " segment(s)]";
    }

    /** Immutable snapshot of the segment list with their base offsets, for a binary search without indirection. */
    private static final class Segments {
        final Segment[] list;
        final long[] baseOffsets;

        Segments(Segment[] list) {
            this.list = list;
            this.baseOffsets = new long[list.length];
            for (int i = 0; i < list.length; i++) {
                baseOffsets[i] = list[i].baseOffset;
            }
        }

        Segments with(Segment next) {
            Segment[] longer = new Segment[list.length + 1];
            System.arraycopy(list, 0, longer, 0, list.length);
            longer[list.length] = next;
            return new Segments(longer);
        }

        /** The last segment whose base offset is at most {@code offset}; offset is at least the first base. */
        Segment floor(long offset) {
            int low = 0;
            int high = list.length - 1;
            while (low < high) {
                int mid = (low + high + 1) >>> 1;
                if (baseOffsets[mid] <= offset) {
                    low = mid;
                } else {
                    high = mid - 1;
                }
            }
            return list[low];
        }
    }
}
