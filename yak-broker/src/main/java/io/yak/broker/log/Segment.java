package io.yak.broker.log;

import static io.yak.broker.log.SegmentLayout.HEADER_LENGTH;
import static io.yak.wire.record.RecordBatchLayout.BASE_OFFSET_OFFSET;
import static io.yak.wire.record.RecordBatchLayout.BATCH_LENGTH_OFFSET;
import static io.yak.wire.record.RecordBatchLayout.LOG_OVERHEAD;
import static io.yak.wire.record.RecordBatchLayout.MAGIC_OFFSET;
import static io.yak.wire.record.RecordBatchLayout.MAX_TIMESTAMP_OFFSET;
import static io.yak.wire.record.RecordBatchLayout.PARTITION_LEADER_EPOCH_OFFSET;
import static io.yak.wire.record.RecordBatchLayout.RECORDS_COUNT_OFFSET;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One segment: a 16-byte header and record batches exactly as on the wire ({@code STORAGE.md}), memory-mapped, with
 * its offset index and time index files. The unit {@link PartitionLog} and {@link LogRecovery} work with: it owns the
 * published state (end position, largest timestamp), the write path (copying and stamping batches, publishing them,
 * maintaining the indexes, the in-place append window) and the order of the lifecycle steps. The file and its
 * mappings are a {@link SegmentFile}; reading and checking batches is a {@link SegmentReader}.
 *
 * <p>Active: mapped read-write at its capacity, the file as long as the blocks allocated ahead of the data (its index
 * files preallocated and mapped too); the partition writer thread
 * (or an event loop appending in place, {@link #appendableInPlace}, one at a time: "writer thread" below means
 * whichever changes the log) copies batches in behind the published {@link #end}, indexes them and then moves the
 * end. Sealed: forced, trimmed to its real size and mapped read-only (its index files too); never written again.
 * Readers (any thread) read the published end and the read view, both volatile, and never look at bytes at or past
 * the end.
 *
 * <p>Mapping lifetime: views handed to readers must stay valid after the segment changes. Sealing therefore does
 * not unmap the read-write mappings: they are retired, and the owner releases them after
 * {@code file.delete.delay.ms} ({@link #releaseRetired()}) or at close.
 */
final class Segment {
    /** Max timestamp of a segment without batches. */
    static final long NO_TIMESTAMP = Long.MIN_VALUE;
    /** {@link #rollBaseMs()} before the first batch. */
    static final long NO_ROLL_BASE = Long.MIN_VALUE;
    /** The memory page size assumed by {@link #appendableInPlace}: the smallest in use (a larger one only helps). */
    static final int PAGE_SIZE = 4096;
    /**
     * How recently the page must have been written for {@link #appendableInPlace}: well below the kernel's
     * write-back age of dirty pages (30 s by default), after which the page is clean again and its next write goes
     * through the file system (journal) rather than straight into memory.
     */
    static final long IN_PLACE_WINDOW_MS = 1000;

    final long baseOffset;
    private final String partition;
    private final SegmentFile file;
    private final SegmentReader reader;
    /** Set before the segment is shared, never replaced. */
    private OffsetIndex index;
    private TimeIndex timeIndex;

    /** Published end position: every byte before it is a complete batch; readers never read at or past it. */
    private volatile int end;
    /** Largest batch max timestamp below {@link #end}; published after the end. */
    private volatile long maxTimestamp = NO_TIMESTAMP;

    // Owned by the thread changing the log (the partition's writer, or an event loop appending in place).
    private long nextOffset;
    private int bytesSinceIndexEntry;
    private long maxTimestampSoFar = NO_TIMESTAMP;
    private long offsetOfMaxTimestamp = -1;
    /**
     * End of the memory page holding the last byte an append of this process wrote (0 before the first, and after a
     * force): bytes below it are in a page that is mapped, resident, allocated and dirty, so writing them is a copy
     * into memory, as long as write-back has not cleaned the page since ({@link #IN_PLACE_WINDOW_MS}).
     */
    private int writtenPageEnd;
    /** When that page was last written (the appender's clock). */
    private long writtenPageMs;
    private long rollBaseMs = NO_ROLL_BASE;

    private Segment(SegmentFile file, String partition, long baseOffset) {
        this.file = file;
        this.partition = partition;
        this.baseOffset = baseOffset;
        this.reader = new SegmentReader(partition, baseOffset, file::path);
        this.nextOffset = baseOffset;
        this.end = HEADER_LENGTH;
    }

    /**
     * Creates the segment file (it must not exist) with its header, written through the file before anything is
     * mapped (so even a crash right after leaves no hole under the header), then its index files, and maps
     * {@code capacity} bytes read-write.
     */
    static Segment create(Path directory, String partition, long baseOffset, int capacity, int indexIntervalBytes)
        throws IOException {
        Path path = directory.resolve(SegmentLayout.fileName(baseOffset));
        Segment segment = new Segment(SegmentFile.create(path, baseOffset, capacity), partition, baseOffset);
        try {
            segment.createIndexes(IndexLayout.maxEntries(capacity, indexIntervalBytes));
        } catch (IOException | RuntimeException e) {
            segment.releaseAfter(e);
            throw e;
        }
        segment.reader.verifiedEnd(SegmentReader.ALL_VERIFIED);
        return segment;
    }

    /**
     * Opens an existing file to append to; maps {@code capacity} bytes read-write (the file keeps its length).
     * Recovery then creates its index files ({@link #createIndexes}) and scans it.
     */
    static Segment openActive(Path file, String partition, long baseOffset, int capacity) throws IOException {
        return new Segment(SegmentFile.openActive(file, capacity), partition, baseOffset);
    }

    /** Opens an existing sealed file: maps exactly {@code size} bytes read-only. No index yet. */
    static Segment openSealed(Path file, String partition, long baseOffset, int size) throws IOException {
        return new Segment(SegmentFile.openSealed(file, size), partition, baseOffset);
    }

    /**
     * Recovery, active segment: the header as the file holds it, read through the file (zeros where the file is
     * shorter), not through the mapping. Allocates; recovery only.
     */
    ByteBuf headerThroughFile() throws IOException {
        return file.headerThroughFile();
    }

    Path indexFile() {
        return file.path().resolveSibling(SegmentLayout.fileName(baseOffset, SegmentLayout.INDEX_SUFFIX));
    }

    Path timeIndexFile() {
        return file.path().resolveSibling(SegmentLayout.fileName(baseOffset, SegmentLayout.TIME_INDEX_SUFFIX));
    }

    /** Writer or recovery: new empty index files (replacing any), preallocated for {@code maxEntries} entries. */
    void createIndexes(int maxEntries) throws IOException {
        OffsetIndex offsets = OffsetIndex.create(indexFile(), baseOffset, maxEntries);
        try {
            timeIndex = TimeIndex.create(timeIndexFile(), baseOffset, maxEntries);
        } catch (IOException | RuntimeException e) {
            offsets.release();
            throw e;
        }
        index = offsets;
    }

    /** Recovery: index files it loaded and checked for a sealed segment it trusts. */
    void attachIndexes(OffsetIndex offsets, TimeIndex times) {
        index = offsets;
        timeIndex = times;
    }

    OffsetIndex index() {
        return index;
    }

    TimeIndex timeIndex() {
        return timeIndex;
    }

    /** A read-only buffer over the whole mapping, for recovery's scan (allocates; not for the hot path). */
    ByteBuf scanBuffer() {
        return Unpooled.wrappedBuffer(file.readView().duplicate());
    }

    /**
     * Recovery: the batches before {@code stop} are valid and end before {@code next}; publishes them.
     *
     * @param verifiedUpTo {@link SegmentReader#ALL_VERIFIED} when recovery checked their CRC32Cs, else the header
     *                     length
     */
    void recovered(int stop, long next, int verifiedUpTo) {
        file.recovered(stop);
        nextOffset = next;
        end = stop;
        reader.verifiedEnd(verifiedUpTo);
        maxTimestamp = maxTimestampSoFar;
    }

    /** Recovery, trusted sealed segment whose indexes were loaded: its largest timestamp is the time index's last. */
    void trusted(int size, long next, long largestTimestamp) {
        maxTimestampSoFar = largestTimestamp;
        recovered(size, next, HEADER_LENGTH);
    }

    /**
     * Recovery, sealed segment whose index files it rebuilt while scanning: adds the time index's final entry,
     * trims, forces and maps both read-only; the read-write mappings are released at once (nothing reads yet).
     */
    void sealRebuiltIndexes() throws IOException {
        addFinalTimeEntry();
        MappedFiles.unmap(index.seal());
        MappedFiles.unmap(timeIndex.seal());
    }

    /** Recovery, active segment: when its first batch was stamped, for {@code segment.ms} (capped at now). */
    void rollBaseMs(long ms) {
        rollBaseMs = ms;
    }

    /** Recovery only, active segment: zeroes dropped bytes so they can never be taken for batches again. */
    void zeroAndForce(int from, int length) throws IOException {
        file.zeroAndForce(from, length);
    }

    /**
     * Recovery, active segment: the last non-zero byte in {@code [from, to)}, or -1, read through the file (see
     * {@link SegmentFile#lastNonZero}).
     */
    int lastNonZero(int from, int to) throws IOException {
        return file.lastNonZero(from, to);
    }

    /**
     * Recovery, active segment, after {@link #recovered}: cuts the file at the end of its data, so it holds exactly
     * what was recovered (a file left sparse by an older broker, or with a zeroed tail, included). Appends allocate
     * from there on.
     */
    void truncateToEnd() throws IOException {
        file.truncate(end);
    }

    /** Recovery: writes the header of an active segment whose header never reached the disk, through the file. */
    void writeMissingHeader() throws IOException {
        file.writeMissingHeader(baseOffset);
    }

    /**
     * Writer side (appends and recovery scans): adds an offset index entry when {@code index.interval.bytes} have
     * passed since the last one, and with it a time index entry when the segment's max timestamp grew since the
     * last time index entry. A few stores into mapped memory; no allocation.
     */
    void indexBatch(long batchBaseOffset, int position, int size, long batchMaxTimestamp, int indexIntervalBytes) {
        if (batchMaxTimestamp > maxTimestampSoFar || offsetOfMaxTimestamp < 0) {
            maxTimestampSoFar = batchMaxTimestamp;
            offsetOfMaxTimestamp = batchBaseOffset;
        }
        if (bytesSinceIndexEntry >= indexIntervalBytes) {
            index.append(batchBaseOffset, position);
            if (timeIndex.size() == 0 || maxTimestampSoFar > timeIndex.lastTimestamp()) {
                timeIndex.append(maxTimestampSoFar, offsetOfMaxTimestamp);
            }
            bytesSinceIndexEntry = 0;
        }
        bytesSinceIndexEntry += size;
    }

    /** So the last time index entry of a sealed segment holds its largest timestamp. */
    private void addFinalTimeEntry() {
        if (offsetOfMaxTimestamp >= 0
            && (timeIndex.size() == 0 || maxTimestampSoFar > timeIndex.lastTimestamp())) {
            timeIndex.append(maxTimestampSoFar, offsetOfMaxTimestamp);
        }
    }

    /**
     * Whether {@code bytes} of batches can be appended without any I/O and without touching an index: they fit in
     * the page the last append of this process wrote less than {@link #IN_PLACE_WINDOW_MS} ago and that was not
     * forced since (so in allocated blocks of a resident, mapped, dirty page, not beyond the capacity), and they add
     * no index entry ({@code index.interval.bytes} not reached). Such an append is a copy into memory:
     * {@link PartitionLog#appendInPlace}.
     */
    boolean appendableInPlace(int bytes, int indexIntervalBytes, long nowMs) {
        long newEnd = (long) end + bytes;
        return newEnd <= writtenPageEnd && newEnd <= file.allocated() && newEnd <= file.capacity()
            && bytesSinceIndexEntry + bytes <= indexIntervalBytes && nowMs - writtenPageMs < IN_PLACE_WINDOW_MS;
    }

    /** Entries of the offset index. */
    int indexEntries() {
        return index.size();
    }

    boolean hasRoomFor(int bytes) {
        return (long) end + bytes <= file.capacity();
    }

    boolean isEmpty() {
        return end == HEADER_LENGTH;
    }

    boolean isSealed() {
        return file.isSealed();
    }

    /** Published end position, also the segment's size in bytes once sealed. Any thread. */
    int end() {
        return end;
    }

    int capacity() {
        return file.capacity();
    }

    long nextOffset() {
        return nextOffset;
    }

    /** Largest batch max timestamp published, {@link #NO_TIMESTAMP} when empty. Any thread. */
    long maxTimestamp() {
        return maxTimestamp;
    }

    /** Writer thread: when the first batch went in (clock ms), {@link #NO_ROLL_BASE} while empty. */
    long rollBaseMs() {
        return rollBaseMs;
    }

    Path file() {
        return file.path();
    }

    int verifiedEnd() {
        return reader.verifiedEnd();
    }

    boolean indexSuspect() {
        return reader.indexSuspect();
    }

    /**
     * Writer thread, before {@link #write} of {@code bytes}: gives the file real blocks from the published end to at
     * least {@code end + bytes}, so a full disk fails here with an {@link IOException} before anything is copied
     * ({@link SegmentFile#reserve}).
     */
    void reserve(int bytes) throws IOException {
        file.reserve(end, bytes);
    }

    /**
     * Writer thread. Copies the (already checked) batches {@code src[from, to)} behind the published end, stamping
     * base offsets from {@code firstOffset} and the leader epoch into the stored copy; {@code src} is not modified.
     * Each batch's length field is written as 0 first and set after its body (torn-write rule, {@code STORAGE.md}).
     * Publishes nothing.
     *
     * @return the end position after the copied batches
     */
    int write(ByteBuf src, int from, int to, long firstOffset, int leaderEpoch) {
        return copy(src, from, to, firstOffset, leaderEpoch, true);
    }

    /**
     * Writer thread, follower append: as {@link #write}, but keeps each batch's base offset and leader epoch as
     * {@code src} has them (a leader assigned them; the caller checked they continue this log).
     */
    int writeUnchanged(ByteBuf src, int from, int to) {
        return copy(src, from, to, -1, -1, false);
    }

    private int copy(ByteBuf src, int from, int to, long firstOffset, int leaderEpoch, boolean stamp) {
        ByteBuf dst = file.writeBuffer();
        int position = end;
        int index = from;
        long offset = firstOffset;
        while (index < to) {
            int size = LOG_OVERHEAD + src.getInt(index + BATCH_LENGTH_OFFSET);
            dst.setInt(position + BATCH_LENGTH_OFFSET, 0);
            if (stamp) {
                dst.setLong(position + BASE_OFFSET_OFFSET, offset);
                dst.setInt(position + PARTITION_LEADER_EPOCH_OFFSET, leaderEpoch);
                dst.setBytes(position + MAGIC_OFFSET, src, index + MAGIC_OFFSET, size - MAGIC_OFFSET);
            } else {
                dst.setLong(position + BASE_OFFSET_OFFSET, src.getLong(index + BASE_OFFSET_OFFSET));
                dst.setBytes(position + PARTITION_LEADER_EPOCH_OFFSET, src, index + PARTITION_LEADER_EPOCH_OFFSET,
                    size - PARTITION_LEADER_EPOCH_OFFSET);
            }
            // The body must not reach the page after the length does.
            VarHandle.storeStoreFence();
            dst.setInt(position + BATCH_LENGTH_OFFSET, size - LOG_OVERHEAD);
            offset += src.getInt(index + RECORDS_COUNT_OFFSET);
            index += size;
            position += size;
        }
        if (position > end) {
            writtenPageEnd = (int) Math.min(((position - 1L) | (PAGE_SIZE - 1)) + 1, Integer.MAX_VALUE);
        }
        return position;
    }

    /**
     * Writer thread. Indexes the batches written in {@code [end, newEnd)}, then publishes them to readers: the end,
     * then the max timestamp.
     *
     * @param nowMs the writer's clock, remembered as the roll base when these are the segment's first batches
     */
    void publish(int newEnd, long newNextOffset, int indexIntervalBytes, long nowMs) {
        ByteBuf dst = file.writeBuffer();
        int position = end;
        if (position == HEADER_LENGTH) {
            rollBaseMs = nowMs;
        }
        while (position < newEnd) {
            int size = LOG_OVERHEAD + dst.getInt(position + BATCH_LENGTH_OFFSET);
            indexBatch(dst.getLong(position + BASE_OFFSET_OFFSET), position, size,
                dst.getLong(position + MAX_TIMESTAMP_OFFSET), indexIntervalBytes);
            position += size;
        }
        if (position != newEnd) {
            throw new IllegalStateException("batches written to " + file.path() + " end at " + position + ", not "
                + newEnd);
        }
        nextOffset = newNextOffset;
        writtenPageMs = nowMs;
        end = newEnd;
        maxTimestamp = maxTimestampSoFar;
    }

    /**
     * Any thread. Whole batches from the one containing {@code offset} (which must lie in this segment and below
     * the log end the caller read before), at most {@code maxBytes} in total except that the first is always
     * included, and none whose last offset is {@code maxOffset} or more. The buffer views the mapping, read-only;
     * release is harmless. Checks every batch it walks (length bounds, magic, contiguous offsets) and, in a segment
     * recovery did not verify, the CRC32C of batches it serves; stops before a batch that fails.
     *
     * @return the batches; {@link Unpooled#EMPTY_BUFFER} when the first one ends at or after {@code maxOffset}; null
     *         when {@code offset} is past this segment's published batches (a truncation replaced the segment after
     *         the caller read the log end: the caller reads again)
     * @throws CorruptBatchException when the batch containing {@code offset} (or one before it) fails its checks
     */
    ByteBuf read(long offset, int maxBytes, long maxOffset) {
        int limit = end;
        ByteBuffer view = file.readView();
        return reader.read(view, limit, index, offset, maxBytes, maxOffset);
    }

    /**
     * Writer thread, truncation: the position of the batch that contains {@code offset}, which this segment's
     * published batches must hold (or {@code offset} must be its next offset: then its end).
     *
     * @throws CorruptBatchException when a batch on the way fails its checks
     */
    int batchPosition(long offset) {
        int limit = end;
        if (offset == nextOffset) {
            return limit;
        }
        int position = reader.locate(file.readView(), limit, index, offset);
        if (position < 0) {
            throw new IllegalStateException("partition " + partition + ": offset " + offset + " is not in " + this);
        }
        return position;
    }

    /** Base offset of the batch at {@code position} (a batch boundary below the end), or the next offset at the end. */
    long baseOffsetAt(int position) {
        return position == end ? nextOffset : file.readView().getLong(position + BASE_OFFSET_OFFSET);
    }

    /**
     * Writer thread, truncation: checks the CRC32C of the batches before {@code upTo} that no one verified yet (a
     * segment recovery trusted without reading), so a damaged batch is never copied into a segment that is trusted
     * as written in this run.
     *
     * @throws CorruptBatchException naming the first batch that fails
     */
    void verifyUpTo(int upTo) {
        reader.verifyUpTo(file.readView(), upTo);
    }

    /**
     * Writer thread, truncation: writes a complete segment file {@code target} (replacing any) with base offset
     * {@code newBaseOffset} holding this segment's batches {@code [16, upTo)} byte for byte (so at the same
     * positions), forced ({@link SegmentFile#writeCopy}).
     */
    void writeCopy(Path target, long newBaseOffset, int upTo) throws IOException {
        file.writeCopy(target, newBaseOffset, upTo);
    }

    /**
     * Writes an empty segment file {@code target} (replacing any) with base offset {@code baseOffset}: the header
     * only, forced.
     */
    static void writeEmpty(Path target, long baseOffset) throws IOException {
        SegmentFile.writeEmpty(target, baseOffset);
    }

    /**
     * Open, or a reload of the producer state: passes each published batch's header to {@code visitor}, oldest
     * first; stops at the first batch header that fails its checks (reads report that one).
     *
     * @return null, or why the walk stopped early
     */
    String walkBatches(SegmentReader.BatchVisitor visitor) {
        ByteBuffer view = file.readView();
        int limit = end;
        return reader.walkBatches(view, limit, visitor);
    }

    /**
     * Any thread. Base offset of the first batch (in offset order) whose max timestamp is at least
     * {@code timestamp}, or -1 when no published batch of this segment has one ({@link SegmentReader}).
     *
     * @throws CorruptBatchException when a batch on the way fails its checks
     */
    long offsetForTimestamp(long timestamp) {
        if (maxTimestamp < timestamp) {
            return -1;
        }
        int limit = end;
        ByteBuffer view = file.readView();
        return reader.offsetForTimestamp(view, limit, index, timeIndex, timestamp);
    }

    /**
     * Writer thread, empty active segment only: remaps with a larger capacity (index files too) for an append
     * bigger than the segment. Unmapping right away is safe: readers only view published batches and this segment
     * has none.
     */
    void grow(int newCapacity, int indexIntervalBytes) throws IOException {
        if (!isEmpty() || file.isSealed()) {
            throw new IllegalStateException("only an empty active segment may grow: " + file.path());
        }
        file.grow(newCapacity);
        int maxEntries = IndexLayout.maxEntries(newCapacity, indexIntervalBytes);
        index.grow(maxEntries);
        timeIndex.grow(maxEntries);
    }

    /** Writer thread. Forces the bytes before {@code upTo} that were not forced yet (data only, no metadata). */
    void force(int upTo) throws IOException {
        if (file.force(upTo)) {
            // the forced pages are clean now: the next write to one faults into the file system
            writtenPageEnd = 0;
        }
    }

    /**
     * Writer thread. Makes the segment immutable: forces its batches, truncates the file to its real size, forces
     * that too, and maps it read-only at that size; then the same for its index files, after a last time index entry
     * holding the segment's largest timestamp. After this returns the segment and its indexes are durable, which is
     * what lets recovery treat any damage in a non-last segment as corruption instead of a torn write. The replaced
     * read-write mappings are retired ({@link #releaseRetired()}).
     */
    void seal() throws IOException {
        int size = end;
        force(size);
        file.seal(size);
        addFinalTimeEntry();
        file.retire(index.seal());
        file.retire(timeIndex.seal());
    }

    /**
     * Writer thread, once no reader can still use a mapping this segment replaced when it was sealed (the log waits
     * {@code file.delete.delay.ms}): releases them.
     */
    void releaseRetired() {
        file.releaseRetired();
    }

    /**
     * Releases every mapping and, for the active segment, truncates the file to its published end (so a cleanly
     * closed log has no zero tail) and forces the size; index files likewise. Index files a lookup found wrong, or of
     * a segment where a read found a damaged batch, are deleted: the next open rebuilds them, which checks every
     * batch of the segment (CRC32C included) and so refuses a damaged one with a {@link LogCorruptedException}.
     * Only when no reader holds a buffer from {@link #read}.
     */
    void close() throws IOException {
        IOException error = null;
        try {
            file.close(end);
        } catch (IOException e) {
            error = e;
        }
        error = runCollecting(index == null ? null : index::close, error);
        error = runCollecting(timeIndex == null ? null : timeIndex::close, error);
        if ((reader.indexSuspect() || reader.corruptionReported()) && error == null) {
            Files.deleteIfExists(indexFile());
            Files.deleteIfExists(timeIndexFile());
        }
        if (error != null) {
            throw error;
        }
    }

    /** A step of a close that may fail without stopping the others. */
    private interface IoStep {
        void run() throws IOException;
    }

    /** Runs {@code step} (if any); returns the first failure so far, later ones suppressed into it. */
    private static IOException runCollecting(IoStep step, IOException error) {
        if (step == null) {
            return error;
        }
        try {
            step.run();
        } catch (IOException e) {
            if (error == null) {
                return e;
            }
            error.addSuppressed(e);
        }
        return error;
    }

    /** Releases the mappings and the channels without touching the files (a crash, or recovery gave up). */
    void release() throws IOException {
        IOException error = null;
        try {
            file.release();
        } catch (IOException e) {
            error = e;
        }
        if (index != null) {
            index.release();
        }
        if (timeIndex != null) {
            timeIndex.release();
        }
        if (error != null) {
            throw error;
        }
    }

    private void releaseAfter(Exception failure) {
        try {
            release();
        } catch (IOException | RuntimeException e) {
            failure.addSuppressed(e);
        }
    }

    /**
     * Writer thread, retention or truncation: renames the segment and its index files to {@code <name>.deleted}
     * ({@code <name>.<n>.deleted} when a segment of the same base offset was retired less than
     * {@code file.delete.delay.ms} ago, as after two truncations to one offset). The mappings stay valid (a rename
     * does not touch them); {@link #release()} and {@link #deleteFiles()} come later. The segment file goes first: a
     * crash half way leaves index files without a segment, which the next open deletes.
     */
    void renameToDeleted() throws IOException {
        file.renameToDeleted();
        index.renameTo(SegmentFile.deletedName(index.file()));
        timeIndex.renameTo(SegmentFile.deletedName(timeIndex.file()));
    }

    /** Writer thread, after {@link #release()}: deletes the segment's files (renamed or not). */
    void deleteFiles() throws IOException {
        Files.deleteIfExists(file.path());
        Files.deleteIfExists(index.file());
        Files.deleteIfExists(timeIndex.file());
    }

    @Override
    public String toString() {
        return file.path().getFileName() + (file.isSealed() ? " sealed" : " active") + " [" + baseOffset + ", "
            + nextOffset + ") " + end + "/" + file.capacity() + " bytes";
    }
}
