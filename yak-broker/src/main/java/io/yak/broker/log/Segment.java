package io.yak.broker.log;

import static io.yak.broker.log.SegmentLayout.HEADER_LENGTH;
import static io.yak.wire.record.RecordBatchLayout.ATTRIBUTES_OFFSET;
import static io.yak.wire.record.RecordBatchLayout.BASE_OFFSET_OFFSET;
import static io.yak.wire.record.RecordBatchLayout.BATCH_LENGTH_OFFSET;
import static io.yak.wire.record.RecordBatchLayout.CRC_OFFSET;
import static io.yak.wire.record.RecordBatchLayout.LAST_OFFSET_DELTA_OFFSET;
import static io.yak.wire.record.RecordBatchLayout.LOG_OVERHEAD;
import static io.yak.wire.record.RecordBatchLayout.MAGIC_OFFSET;
import static io.yak.wire.record.RecordBatchLayout.MAGIC_V2;
import static io.yak.wire.record.RecordBatchLayout.MAX_TIMESTAMP_OFFSET;
import static io.yak.wire.record.RecordBatchLayout.MIN_BATCH_LENGTH;
import static io.yak.wire.record.RecordBatchLayout.PARTITION_LEADER_EPOCH_OFFSET;
import static io.yak.wire.record.RecordBatchLayout.RECORDS_COUNT_OFFSET;
import static io.yak.wire.record.RecordBatchLayout.RECORDS_OFFSET;
import static java.nio.file.StandardOpenOption.CREATE;
import static java.nio.file.StandardOpenOption.CREATE_NEW;
import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.TRUNCATE_EXISTING;
import static java.nio.file.StandardOpenOption.WRITE;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One segment file: a 16-byte header and record batches exactly as on the wire ({@code STORAGE.md}), memory-mapped,
 * with its offset index and time index files.
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
 *
 * <p>Verification: batches appended in this run, or CRC32C-checked by recovery, are trusted. A segment that recovery
 * trusted without reading it (below the recovery point) starts unverified: a read checks the CRC32C of each batch
 * it serves the first time, tracking a verified prefix ({@link #verifiedEnd}), and never serves a batch that fails.
 */
final class Segment {
    private static final Logger LOG = LoggerFactory.getLogger(Segment.class);
    private static final VarHandle VERIFIED_END;
    private static final ThreadLocal<CRC32C> CRC = ThreadLocal.withInitial(CRC32C::new);
    /** {@link #verifiedEnd} of a segment whose every batch is known good. */
    static final int ALL_VERIFIED = Integer.MAX_VALUE;
    /** Max timestamp of a segment without batches. */
    static final long NO_TIMESTAMP = Long.MIN_VALUE;
    /** {@link #rollBaseMs()} before the first batch. */
    static final long NO_ROLL_BASE = Long.MIN_VALUE;
    /** A lookup that started from an index entry found bytes that do not match it. */
    private static final long INDEX_MISMATCH = Long.MIN_VALUE;
    /** {@link #walkTo}: the published batches end before the offset looked for. */
    private static final int NOT_FOUND = -2;

    static {
        try {
            VERIFIED_END = MethodHandles.lookup().findVarHandle(Segment.class, "verifiedEnd", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final long baseOffset;
    private final String partition;
    /** Renamed (to {@code .deleted}) only by retention. */
    private volatile Path file;
    /** Set before the segment is shared, never replaced. */
    private OffsetIndex index;
    private TimeIndex timeIndex;

    /** Read-only view of the current mapping, position 0; readers slice it with absolute indexes only. */
    private volatile ByteBuffer readView;
    /** Published end position: every byte before it is a complete batch; readers never read at or past it. */
    private volatile int end;
    /** Largest batch max timestamp below {@link #end}; published after the end. */
    private volatile long maxTimestamp = NO_TIMESTAMP;
    /** Batches that end at or before this position passed a CRC32C check (or were appended in this run). */
    private volatile int verifiedEnd;
    /** A lookup found the index files wrong: lookups scan from the first batch; close deletes the files. */
    private volatile boolean indexSuspect;
    private volatile boolean corruptionReported;

    /** {@link #reserve} allocates the file ahead of the writes in steps of this many bytes. */
    static final int ALLOCATION_CHUNK = 1 << 20;
    /** The memory page size assumed by {@link #appendableInPlace}: the smallest in use (a larger one only helps). */
    static final int PAGE_SIZE = 4096;
    /**
     * How recently the page must have been written for {@link #appendableInPlace}: well below the kernel's
     * write-back age of dirty pages (30 s by default), after which the page is clean again and its next write goes
     * through the file system (journal) rather than straight into memory.
     */
    static final long IN_PLACE_WINDOW_MS = 1000;

    // Owned by the thread changing the log (the partition's writer, or an event loop appending in place).
    private FileChannel channel;
    private MappedByteBuffer mapping;
    /** Read-write mappings replaced by a seal; readers may still use them until {@link #releaseRetired()}. */
    private final List<MappedByteBuffer> retired = new ArrayList<>(3);
    private ByteBuf writeBuffer;
    private int capacity;
    private long nextOffset;
    private int bytesSinceIndexEntry;
    private long maxTimestampSoFar = NO_TIMESTAMP;
    private long offsetOfMaxTimestamp = -1;
    private int flushedPosition;
    /** The file has real blocks below this position ({@link #reserve}); it ends at or after it, the mapping later. */
    private int allocated;
    /** A whole allocation step did not fit on the disk: from then on each append allocates just its own bytes. */
    private boolean allocateExactly;
    /**
     * End of the memory page holding the last byte an append of this process wrote (0 before the first, and after a
     * force): bytes below it are in a page that is mapped, resident, allocated and dirty, so writing them is a copy
     * into memory, as long as write-back has not cleaned the page since ({@link #IN_PLACE_WINDOW_MS}).
     */
    private int writtenPageEnd;
    /** When that page was last written (the appender's clock). */
    private long writtenPageMs;
    private boolean sealed;
    private long rollBaseMs = NO_ROLL_BASE;

    private Segment(Path file, String partition, long baseOffset) {
        this.file = file;
        this.partition = partition;
        this.baseOffset = baseOffset;
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
        Segment segment = new Segment(directory.resolve(SegmentLayout.fileName(baseOffset)), partition, baseOffset);
        FileChannel channel = FileChannel.open(segment.file, CREATE_NEW, READ, WRITE);
        try {
            writeHeader(channel, baseOffset);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        segment.activate(channel, capacity);
        segment.allocated = HEADER_LENGTH;
        try {
            segment.createIndexes(IndexLayout.maxEntries(capacity, indexIntervalBytes));
        } catch (IOException | RuntimeException e) {
            segment.releaseAfter(e);
            throw e;
        }
        segment.verifiedEnd = ALL_VERIFIED;
        return segment;
    }

    /**
     * Opens an existing file to append to; maps {@code capacity} bytes read-write (the file keeps its length).
     * Recovery then creates its index files ({@link #createIndexes}) and scans it.
     */
    static Segment openActive(Path file, String partition, long baseOffset, int capacity) throws IOException {
        Segment segment = new Segment(file, partition, baseOffset);
        segment.activate(FileChannel.open(file, READ, WRITE), capacity);
        return segment;
    }

    /** Opens an existing sealed file: maps exactly {@code size} bytes read-only. No index yet. */
    static Segment openSealed(Path file, String partition, long baseOffset, int size) throws IOException {
        Segment segment = new Segment(file, partition, baseOffset);
        try (FileChannel channel = FileChannel.open(file, READ)) {
            MappedByteBuffer readOnly = MappedFiles.map(channel, FileChannel.MapMode.READ_ONLY, size);
            segment.mapping = readOnly;
            segment.readView = readOnly;
        }
        segment.capacity = size;
        segment.sealed = true;
        return segment;
    }

    private void activate(FileChannel fileChannel, int size) throws IOException {
        try {
            mapping = mapKeepingLength(fileChannel, size);
        } catch (IOException | RuntimeException e) {
            fileChannel.close();
            throw e;
        }
        channel = fileChannel;
        capacity = size;
        writeBuffer = Unpooled.wrappedBuffer(mapping);
        readView = mapping.asReadOnlyBuffer();
    }

    /**
     * Maps {@code size} bytes of the file read-write and cuts the file back to the length it had: mapping grows a
     * shorter file to the mapped size, with a sparse tail. The file stays as long as the blocks allocated for it,
     * which grow ahead of every write ({@link #reserve}), so recovery after a crash never reads a hole (on a full
     * tmpfs even reading one through a mapping faults). Nothing touches the mapping past the end of the file.
     */
    private static MappedByteBuffer mapKeepingLength(FileChannel fileChannel, int size) throws IOException {
        long length = fileChannel.size();
        MappedByteBuffer mapped = MappedFiles.map(fileChannel, FileChannel.MapMode.READ_WRITE, size);
        try {
            fileChannel.truncate(length);
        } catch (IOException | RuntimeException e) {
            MappedFiles.unmap(mapped);
            throw e;
        }
        return mapped;
    }

    /**
     * Writes the header of a segment starting at {@code baseOffset} ({@code STORAGE.md}) through the file, which
     * gives its bytes real blocks (a full disk is an {@link IOException} here).
     */
    private static void writeHeader(FileChannel fileChannel, long baseOffset) throws IOException {
        ByteBuffer header = ByteBuffer.allocate(HEADER_LENGTH);
        header.putInt(SegmentLayout.MAGIC_OFFSET, SegmentLayout.MAGIC);
        header.putShort(SegmentLayout.FORMAT_VERSION_OFFSET, SegmentLayout.FORMAT_VERSION);
        header.putShort(SegmentLayout.RESERVED_OFFSET, (short) 0);
        header.putLong(SegmentLayout.BASE_OFFSET_OFFSET, baseOffset);
        while (header.hasRemaining()) {
            fileChannel.write(header, header.position());
        }
    }

    /**
     * Recovery, active segment: the header as the file holds it, read through the file (zeros where the file is
     * shorter), not through the mapping. Allocates; recovery only.
     */
    ByteBuf headerThroughFile() throws IOException {
        ByteBuffer header = ByteBuffer.allocate(HEADER_LENGTH);
        while (header.hasRemaining() && channel.read(header, header.position()) >= 0) {
            // read until full or the end of the file
        }
        return Unpooled.wrappedBuffer(header.array());
    }

    Path indexFile() {
        return file.resolveSibling(SegmentLayout.fileName(baseOffset, SegmentLayout.INDEX_SUFFIX));
    }

    Path timeIndexFile() {
        return file.resolveSibling(SegmentLayout.fileName(baseOffset, SegmentLayout.TIME_INDEX_SUFFIX));
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
        return Unpooled.wrappedBuffer(readView.duplicate());
    }

    /**
     * Recovery: the batches before {@code stop} are valid and end before {@code next}; publishes them.
     *
     * @param verifiedUpTo {@link #ALL_VERIFIED} when recovery checked their CRC32Cs, else the header length
     */
    void recovered(int stop, long next, int verifiedUpTo) {
        allocated = stop; // data up to the stop, zeros after it (recovery zeroed what it dropped)
        nextOffset = next;
        // Nothing recovered is known to be on disk (the last run may have crashed before write-back): the first
        // force covers the whole file, so a later forced batch never survives a power loss without the ones before.
        flushedPosition = 0;
        end = stop;
        verifiedEnd = verifiedUpTo;
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
        // Through the file, not the mapping: after a power loss the dropped tail may hold holes, and a store into an
        // unallocated page of a full disk would fault (see MappedFiles.allocate). The mapping sees the same pages.
        MappedFiles.allocate(channel, from, (long) from + length);
        forceRange(from, length);
    }

    /**
     * Recovery, active segment: the last non-zero byte in {@code [from, to)}, or -1. Read through the file, not the
     * mapping: a file left by an older broker is sparse up to its capacity, and reading a hole through a mapping on a
     * full tmpfs faults, while reading it through the file just gives zeros. Allocates its buffer; recovery only.
     */
    int lastNonZero(int from, int to) throws IOException {
        ByteBuffer chunk = ByteBuffer.allocate(64 << 10);
        int chunkEnd = to;
        while (chunkEnd > from) {
            int chunkStart = Math.max(from, chunkEnd - chunk.capacity());
            chunk.clear().limit(chunkEnd - chunkStart);
            while (chunk.hasRemaining()) {
                if (channel.read(chunk, chunkStart + chunk.position()) < 0) {
                    throw new EOFException(file + " ends before position " + chunkEnd);
                }
            }
            for (int i = chunkEnd - chunkStart - 1; i >= 0; i--) {
                if (chunk.get(i) != 0) {
                    return chunkStart + i;
                }
            }
            chunkEnd = chunkStart;
        }
        return -1;
    }

    /**
     * Recovery, active segment, after {@link #recovered}: cuts the file at the end of its data, so it holds exactly
     * what was recovered (a file left sparse by an older broker, or with a zeroed tail, included). Appends allocate
     * from there on.
     */
    void truncateToEnd() throws IOException {
        channel.truncate(end);
    }

    /** Recovery: writes the header of an active segment whose header never reached the disk, through the file. */
    void writeMissingHeader() throws IOException {
        writeHeader(channel, baseOffset);
        allocated = Math.max(allocated, HEADER_LENGTH);
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
        return newEnd <= writtenPageEnd && newEnd <= allocated && newEnd <= capacity
            && bytesSinceIndexEntry + bytes <= indexIntervalBytes && nowMs - writtenPageMs < IN_PLACE_WINDOW_MS;
    }

    /** Entries of the offset index. */
    int indexEntries() {
        return index.size();
    }

    boolean hasRoomFor(int bytes) {
        return (long) end + bytes <= capacity;
    }

    boolean isEmpty() {
        return end == HEADER_LENGTH;
    }

    boolean isSealed() {
        return sealed;
    }

    /** Published end position, also the segment's size in bytes once sealed. Any thread. */
    int end() {
        return end;
    }

    int capacity() {
        return capacity;
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
        return file;
    }

    int verifiedEnd() {
        return verifiedEnd;
    }

    boolean indexSuspect() {
        return indexSuspect;
    }

    /**
     * Writer thread, before {@link #write} of {@code bytes}: gives the file real blocks from the published end to at
     * least {@code end + bytes} ({@value #ALLOCATION_CHUNK} bytes at a time, at most up to the capacity), so a full
     * disk fails here with an {@link IOException} before anything is copied, never as a fault on the mapping that
     * the JVM would report only after the append seemed done ({@link MappedFiles#allocate}). When a whole step does
     * not fit on the disk any more, exactly the bytes of this append are tried, and of every later one: only an
     * append that cannot fit fails.
     */
    void reserve(int bytes) throws IOException {
        long needed = (long) end + bytes;
        if (needed > allocated) {
            long chunks = (needed + ALLOCATION_CHUNK - 1) / ALLOCATION_CHUNK;
            long target = allocateExactly ? needed : Math.max(needed, Math.min(capacity, chunks * ALLOCATION_CHUNK));
            try {
                allocateTo(target);
            } catch (IOException e) {
                if (target == needed) {
                    throw e;
                }
                allocateExactly = true; // the disk is nearly full: no more whole steps that fail half-way
                try {
                    allocateTo(needed);
                } catch (IOException again) {
                    again.addSuppressed(e);
                    throw again;
                }
            }
        }
    }

    private void allocateTo(long target) throws IOException {
        if (target > allocated) {
            MappedFiles.allocate(channel, allocated, target);
            allocated = (int) target;
        }
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
        ByteBuf dst = writeBuffer;
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
        ByteBuf dst = writeBuffer;
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
            throw new IllegalStateException("batches written to " + file + " end at " + position + ", not " + newEnd);
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
        ByteBuffer view = readView;
        int position = locate(view, limit, offset);
        if (position == NOT_FOUND) {
            return null;
        }
        long last = view.getLong(position + BASE_OFFSET_OFFSET) + view.getInt(position + LAST_OFFSET_DELTA_OFFSET);
        if (last >= maxOffset) {
            return Unpooled.EMPTY_BUFFER;
        }
        int stop = position + LOG_OVERHEAD + view.getInt(position + BATCH_LENGTH_OFFSET);
        while (stop < limit && batchProblem(view, stop, limit) == null
            && view.getLong(stop + BASE_OFFSET_OFFSET) == last + 1) {
            int next = LOG_OVERHEAD + view.getInt(stop + BATCH_LENGTH_OFFSET);
            long nextLast = last + view.getInt(stop + LAST_OFFSET_DELTA_OFFSET) + 1;
            if ((long) stop + next - position > maxBytes || nextLast >= maxOffset) {
                break;
            }
            last = nextLast;
            stop += next;
        }
        if (verifiedEnd < stop) {
            stop = verify(view, position, stop);
        }
        return Unpooled.wrappedBuffer(view.slice(position, stop - position));
    }

    /**
     * Position of the batch containing {@code offset}: from the index entry below it, else from the first batch;
     * {@link #NOT_FOUND} when the published batches end before it.
     */
    private int locate(ByteBuffer view, int limit, long offset) {
        if (!indexSuspect) {
            long entry = index.floorEntry(offset);
            if (entry >= 0) {
                int position = walkTo(view, limit, offset, OffsetIndex.position(entry),
                    baseOffset + OffsetIndex.relativeOffset(entry), false);
                if (position >= 0 || position == NOT_FOUND) {
                    return position;
                }
                position = walkTo(view, limit, offset, HEADER_LENGTH, baseOffset, true);
                suspectIndex("entry for offset " + (baseOffset + OffsetIndex.relativeOffset(entry)) + " at position "
                    + OffsetIndex.position(entry) + " does not match the segment");
                return position;
            }
        }
        return walkTo(view, limit, offset, HEADER_LENGTH, baseOffset, true);
    }

    /**
     * Walks batches from {@code position} (whose base offset must be {@code expected}) to the one containing
     * {@code offset}; {@link #NOT_FOUND} when every batch up to {@code limit} passed and none contains it. On a failed
     * check: throws when {@code strict}, else returns -1 (the start came from the index).
     */
    private int walkTo(ByteBuffer view, int limit, long offset, int position, long expected, boolean strict) {
        while (true) {
            if (position == limit) {
                return NOT_FOUND;
            }
            String problem = position > limit ? "offset " + offset + " not found before position " + limit
                : batchProblem(view, position, limit);
            if (problem == null && view.getLong(position + BASE_OFFSET_OFFSET) != expected) {
                problem = "batch base offset " + view.getLong(position + BASE_OFFSET_OFFSET) + ", expected "
                    + expected;
            }
            if (problem != null) {
                if (strict) {
                    throw corrupt(position, problem);
                }
                return -1;
            }
            long last = expected + view.getInt(position + LAST_OFFSET_DELTA_OFFSET);
            if (last >= offset) {
                return position;
            }
            expected = last + 1;
            position += LOG_OVERHEAD + view.getInt(position + BATCH_LENGTH_OFFSET);
        }
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
        int position = locate(readView, limit, offset);
        if (position < 0) {
            throw new IllegalStateException("partition " + partition + ": offset " + offset + " is not in " + this);
        }
        return position;
    }

    /** Base offset of the batch at {@code position} (a batch boundary below the end), or the next offset at the end. */
    long baseOffsetAt(int position) {
        return position == end ? nextOffset : readView.getLong(position + BASE_OFFSET_OFFSET);
    }

    /**
     * Writer thread, truncation: checks the CRC32C of the batches before {@code upTo} that no one verified yet (a
     * segment recovery trusted without reading), so a damaged batch is never copied into a segment that is trusted
     * as written in this run.
     *
     * @throws CorruptBatchException naming the first batch that fails
     */
    void verifyUpTo(int upTo) {
        if (verifiedEnd < upTo) {
            ByteBuffer view = readView;
            int good = verify(view, HEADER_LENGTH, upTo);
            if (good < upTo) {
                throw corrupt(good, "CRC32C mismatch");
            }
        }
    }

    /**
     * Writer thread, truncation: writes a complete segment file {@code target} (replacing any) with base offset
     * {@code newBaseOffset} holding this segment's batches {@code [16, upTo)} byte for byte (so at the same
     * positions), through the file, and forces it (data and size). Allocates nothing on the heap for the batches:
     * they go from the mapping to the file.
     */
    void writeCopy(Path target, long newBaseOffset, int upTo) throws IOException {
        try (FileChannel out = FileChannel.open(target, CREATE, TRUNCATE_EXISTING, WRITE)) {
            writeHeader(out, newBaseOffset);
            if (upTo > HEADER_LENGTH) {
                ByteBuffer batches = readView.duplicate();
                batches.limit(upTo).position(HEADER_LENGTH);
                long position = HEADER_LENGTH;
                while (batches.hasRemaining()) {
                    position += out.write(batches, position);
                }
            }
            out.force(true);
        }
    }

    /**
     * Writes an empty segment file {@code target} (replacing any) with base offset {@code baseOffset}: the header
     * only, forced.
     */
    static void writeEmpty(Path target, long baseOffset) throws IOException {
        try (FileChannel out = FileChannel.open(target, CREATE, TRUNCATE_EXISTING, WRITE)) {
            writeHeader(out, baseOffset);
            out.force(true);
        }
    }

    /**
     * Open (rebuilding a lost leader-epoch cache): passes each published batch's leader epoch and base offset to
     * {@code rebuilder}, oldest first; stops at the first batch header that fails its checks (reads report that one).
     *
     * @return null, or why the walk stopped early
     */
    String walkEpochs(LeaderEpochCache.Rebuilder rebuilder) {
        ByteBuffer view = readView;
        int limit = end;
        int position = HEADER_LENGTH;
        while (position < limit) {
            String problem = batchProblem(view, position, limit);
            if (problem != null) {
                return problem + " at position " + position + " of " + file;
            }
            rebuilder.batch(view.getInt(position + PARTITION_LEADER_EPOCH_OFFSET),
                view.getLong(position + BASE_OFFSET_OFFSET));
            position += LOG_OVERHEAD + view.getInt(position + BATCH_LENGTH_OFFSET);
        }
        return null;
    }

    /**
     * Why the batch header at {@code position} is not plausible (length outside its bounds or past
     * {@code limit}, magic, record count), or null. Allocates only when it finds a problem.
     */
    static String batchProblem(ByteBuffer view, int position, int limit) {
        if (limit - position < RECORDS_OFFSET) {
            return "partial batch header of " + (limit - position) + " bytes";
        }
        int length = view.getInt(position + BATCH_LENGTH_OFFSET);
        if (length < MIN_BATCH_LENGTH || length > limit - position - LOG_OVERHEAD) {
            int left = limit - position - LOG_OVERHEAD;
            return "batch length " + length + " outside " + MIN_BATCH_LENGTH + ".." + left + (length > left
                ? ": longer than the " + left + " bytes left (a write cut short, or damage)"
                : ": below the smallest batch");
        }
        byte magic = view.get(position + MAGIC_OFFSET);
        if (magic != MAGIC_V2) {
            return "batch magic " + magic + " != " + MAGIC_V2;
        }
        int count = view.getInt(position + RECORDS_COUNT_OFFSET);
        int lastOffsetDelta = view.getInt(position + LAST_OFFSET_DELTA_OFFSET);
        if (count <= 0 || lastOffsetDelta != count - 1) {
            return "record count " + count + " with last offset delta " + lastOffsetDelta;
        }
        return null;
    }

    /**
     * Checks the CRC32C of the batches in {@code [position, stop)} not verified yet; returns where the good ones end.
     * Advances the verified prefix when the range continues it.
     */
    private int verify(ByteBuffer view, int position, int stop) {
        int verified = verifiedEnd;
        CRC32C crc = CRC.get();
        ByteBuffer range = null;
        int at = position;
        while (at < stop) {
            int size = LOG_OVERHEAD + view.getInt(at + BATCH_LENGTH_OFFSET);
            if (at + size > verified) {
                if (range == null) {
                    range = view.duplicate();
                }
                range.limit(at + size).position(at + ATTRIBUTES_OFFSET);
                crc.reset();
                crc.update(range);
                int computed = (int) crc.getValue();
                int stored = view.getInt(at + CRC_OFFSET);
                if (computed != stored) {
                    if (at == position) {
                        throw corrupt(at, "CRC32C mismatch: stored " + Integer.toHexString(stored) + ", computed "
                            + Integer.toHexString(computed));
                    }
                    break;
                }
            }
            at += size;
        }
        int current;
        while ((current = verifiedEnd) >= position && current < at) {
            if (VERIFIED_END.compareAndSet(this, current, at)) {
                break;
            }
        }
        return at;
    }

    /**
     * Any thread. Base offset of the first batch (in offset order) whose max timestamp is at least
     * {@code timestamp}, or -1 when no published batch of this segment has one. Starts from the time index entry
     * below the timestamp and the offset index entry below that; falls back to a scan from the first batch when the
     * entries do not match the segment.
     *
     * @throws CorruptBatchException when a batch on the way fails its checks
     */
    long offsetForTimestamp(long timestamp) {
        if (maxTimestamp < timestamp) {
            return -1;
        }
        int limit = end;
        ByteBuffer view = readView;
        if (!indexSuspect) {
            int slot = timeIndex.lastSlotBefore(timestamp);
            if (slot >= 0) {
                long holder = timeIndex.offsetAt(slot);
                long entry = index.floorEntry(holder);
                int position = entry < 0 ? HEADER_LENGTH : OffsetIndex.position(entry);
                long expected = entry < 0 ? baseOffset : baseOffset + OffsetIndex.relativeOffset(entry);
                long found = scanForTimestamp(view, limit, position, expected, timestamp, holder,
                    timeIndex.timestampAt(slot));
                if (found != INDEX_MISMATCH) {
                    return found;
                }
                found = scanForTimestamp(view, limit, HEADER_LENGTH, baseOffset, timestamp, -1, 0);
                suspectIndex("time index entry (" + timeIndex.timestampAt(slot) + ", " + holder
                    + ") does not match the segment");
                return found;
            }
        }
        return scanForTimestamp(view, limit, HEADER_LENGTH, baseOffset, timestamp, -1, 0);
    }

    /**
     * Walks from {@code position} for the first batch with a max timestamp of at least {@code timestamp}. With a
     * {@code holder} (from the time index, else -1) checks that batch has exactly {@code holderTimestamp} and that
     * no batch up to it is new enough, returning {@link #INDEX_MISMATCH} otherwise; without one, throws on a batch
     * that fails its checks.
     */
    private long scanForTimestamp(ByteBuffer view, int limit, int position, long expected, long timestamp,
                                  long holder, long holderTimestamp) {
        boolean strict = holder < 0;
        boolean holderSeen = strict;
        while (position < limit) {
            String problem = batchProblem(view, position, limit);
            long base = problem == null ? view.getLong(position + BASE_OFFSET_OFFSET) : -1;
            if (problem == null && base != expected) {
                problem = "batch base offset " + base + ", expected " + expected;
            }
            if (problem != null) {
                if (strict) {
                    throw corrupt(position, problem);
                }
                return INDEX_MISMATCH;
            }
            long batchMaxTimestamp = view.getLong(position + MAX_TIMESTAMP_OFFSET);
            if (!holderSeen) {
                if (base > holder || base == holder && batchMaxTimestamp != holderTimestamp
                    || batchMaxTimestamp >= timestamp && base < holder) {
                    return INDEX_MISMATCH;
                }
                holderSeen = base == holder;
            }
            if (batchMaxTimestamp >= timestamp) {
                return base;
            }
            expected = base + view.getInt(position + LAST_OFFSET_DELTA_OFFSET) + 1;
            position += LOG_OVERHEAD + view.getInt(position + BATCH_LENGTH_OFFSET);
        }
        return holderSeen ? -1 : INDEX_MISMATCH;
    }

    private void suspectIndex(String reason) {
        if (!indexSuspect) {
            indexSuspect = true;
            LOG.warn("partition {}: index of segment {} is wrong ({}); lookups in it scan the segment from now on "
                + "and its index files are rebuilt at the next open", partition, file, reason);
        }
    }

    private CorruptBatchException corrupt(int position, String reason) {
        CorruptBatchException e = new CorruptBatchException(partition, file, position, reason);
        if (!corruptionReported) {
            corruptionReported = true;
            LOG.error("{}", e.getMessage());
        }
        return e;
    }

    /**
     * Writer thread, empty active segment only: remaps with a larger capacity (index files too) for an append
     * bigger than the segment. Unmapping right away is safe: readers only view published batches and this segment
     * has none.
     */
    void grow(int newCapacity, int indexIntervalBytes) throws IOException {
        if (!isEmpty() || sealed) {
            throw new IllegalStateException("only an empty active segment may grow: " + file);
        }
        MappedByteBuffer old = mapping;
        MappedByteBuffer bigger = mapKeepingLength(channel, newCapacity);
        mapping = bigger;
        capacity = newCapacity;
        writeBuffer = Unpooled.wrappedBuffer(bigger);
        readView = bigger.asReadOnlyBuffer();
        MappedFiles.unmap(old);
        int maxEntries = IndexLayout.maxEntries(newCapacity, indexIntervalBytes);
        index.grow(maxEntries);
        timeIndex.grow(maxEntries);
    }

    /** Writer thread. Forces the bytes before {@code upTo} that were not forced yet (data only, no metadata). */
    void force(int upTo) throws IOException {
        if (!sealed && upTo > flushedPosition) {
            forceRange(flushedPosition, upTo - flushedPosition);
            flushedPosition = upTo;
            // the forced pages are clean now: the next write to one faults into the file system
            writtenPageEnd = 0;
        }
    }

    private void forceRange(int from, int length) throws IOException {
        try {
            mapping.force(from, length);
        } catch (UncheckedIOException e) {
            throw e.getCause();
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
        channel.truncate(size);
        channel.force(true);
        MappedByteBuffer readOnly = MappedFiles.map(channel, FileChannel.MapMode.READ_ONLY, size);
        // Readers may hold views of the read-write mapping: keep it for a while (pages past the new end of file are
        // gone, but nobody reads at or past the end).
        retired.add(mapping);
        mapping = readOnly;
        readView = readOnly;
        writeBuffer = null;
        capacity = size;
        sealed = true;
        FileChannel open = channel;
        channel = null;
        open.close();
        addFinalTimeEntry();
        retired.add(index.seal());
        retired.add(timeIndex.seal());
    }

    /**
     * Writer thread, once no reader can still use a mapping this segment replaced when it was sealed (the log waits
     * {@code file.delete.delay.ms}): releases them.
     */
    void releaseRetired() {
        for (MappedByteBuffer old : retired) {
            MappedFiles.unmap(old);
        }
        retired.clear();
    }

    /**
     * Releases every mapping and, for the active segment, truncates the file to its published end (so a cleanly
     * closed log has no zero tail) and forces the size; index files likewise. Index files a lookup found wrong, or of
     * a segment where a read found a damaged batch, are deleted: the next open rebuilds them, which checks every
     * batch of the segment (CRC32C included) and so refuses a damaged one with a {@link LogCorruptedException}.
     * Only when no reader holds a buffer from {@link #read}.
     */
    void close() throws IOException {
        FileChannel open = channel;
        channel = null;
        releaseMappings();
        IOException error = null;
        if (open != null) {
            try (open) {
                open.truncate(end);
                open.force(true);
            } catch (IOException e) {
                error = e;
            }
        }
        error = runCollecting(index == null ? null : index::close, error);
        error = runCollecting(timeIndex == null ? null : timeIndex::close, error);
        if ((indexSuspect || corruptionReported) && error == null) {
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
        releaseMappings();
        FileChannel open = channel;
        channel = null;
        IOException error = null;
        if (open != null) {
            try {
                open.close();
            } catch (IOException e) {
                error = e;
            }
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

    private void releaseMappings() {
        releaseRetired();
        MappedByteBuffer current = mapping;
        mapping = null;
        readView = null;
        writeBuffer = null;
        if (current != null) {
            MappedFiles.unmap(current);
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
        Path deleted = deletedName(file);
        Files.move(file, deleted);
        file = deleted;
        index.renameTo(deletedName(index.file()));
        timeIndex.renameTo(deletedName(timeIndex.file()));
    }

    /** A free {@code <name>.deleted} or {@code <name>.<n>.deleted} beside {@code path}. */
    private static Path deletedName(Path path) {
        String name = path.getFileName().toString();
        Path candidate = path.resolveSibling(name + SegmentLayout.DELETED_SUFFIX);
        for (int n = 1; Files.exists(candidate, LinkOption.NOFOLLOW_LINKS); n++) {
            candidate = path.resolveSibling(name + "." + n + SegmentLayout.DELETED_SUFFIX);
        }
        return candidate;
    }

    /** Writer thread, after {@link #release()}: deletes the segment's files (renamed or not). */
    void deleteFiles() throws IOException {
        Files.deleteIfExists(file);
        Files.deleteIfExists(index.file());
        Files.deleteIfExists(timeIndex.file());
    }

    @Override
    public String toString() {
        return file.getFileName() + (sealed ? " sealed" : " active") + " [" + baseOffset + ", " + nextOffset
            + ") " + end + "/" + capacity + " bytes";
    }
}
