package io.yak.broker.log;

import static io.yak.broker.log.SegmentLayout.HEADER_LENGTH;
import static io.yak.wire.record.RecordBatchLayout.BASE_OFFSET_OFFSET;
import static io.yak.wire.record.RecordBatchLayout.BATCH_LENGTH_OFFSET;
import static io.yak.wire.record.RecordBatchLayout.LAST_OFFSET_DELTA_OFFSET;
import static io.yak.wire.record.RecordBatchLayout.LOG_OVERHEAD;
import static io.yak.wire.record.RecordBatchLayout.MAGIC_OFFSET;
import static io.yak.wire.record.RecordBatchLayout.PARTITION_LEADER_EPOCH_OFFSET;
import static io.yak.wire.record.RecordBatchLayout.RECORDS_COUNT_OFFSET;
import static java.nio.file.StandardOpenOption.CREATE_NEW;
import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.WRITE;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * One segment file: a 16-byte header and record batches exactly as on the wire ({@code STORAGE.md}), memory-mapped.
 *
 * <p>Active: preallocated to its capacity and mapped read-write; the partition writer thread copies batches in
 * behind the published {@link #end} and then moves it. Sealed: forced, truncated to its real size and mapped
 * read-only; never written again. Readers (any thread) read {@link #end} and {@link #readView}, both volatile, and
 * never look at bytes at or past the end.
 *
 * <p>Mapping lifetime: views handed to readers stay valid until {@link #close()}. Sealing therefore does not unmap
 * the read-write mapping; it is retired and released at close together with the read-only one.
 */
final class Segment {
    final Path file;
    final long baseOffset;
    final OffsetIndex index = new OffsetIndex();

    /** Read-only view of the current mapping, position 0; readers slice it with absolute indexes only. */
    private volatile ByteBuffer readView;
    /** Published end position: every byte before it is a complete batch; readers never read at or past it. */
    private volatile int end;

    // Owned by the partition writer thread.
    private FileChannel channel;
    private MappedByteBuffer mapping;
    private MappedByteBuffer retired;
    private ByteBuf writeBuffer;
    private int capacity;
    private long nextOffset;
    private int bytesSinceIndexEntry;
    private int flushedPosition;
    private boolean sealed;

    private Segment(Path file, long baseOffset) {
        this.file = file;
        this.baseOffset = baseOffset;
        this.nextOffset = baseOffset;
        this.end = HEADER_LENGTH;
    }

    /** Creates the file (it must not exist), maps {@code capacity} bytes read-write and writes the header. */
    static Segment create(Path directory, long baseOffset, int capacity) throws IOException {
        Segment segment = new Segment(directory.resolve(SegmentLayout.fileName(baseOffset)), baseOffset);
        segment.activate(FileChannel.open(segment.file, CREATE_NEW, READ, WRITE), capacity);
        segment.writeHeader();
        return segment;
    }

    /** Opens an existing file to append to; maps {@code capacity} bytes read-write, growing the file if shorter. */
    static Segment openActive(Path file, long baseOffset, int capacity) throws IOException {
        Segment segment = new Segment(file, baseOffset);
        segment.activate(FileChannel.open(file, READ, WRITE), capacity);
        return segment;
    }

    /** Opens an existing sealed file: maps exactly {@code size} bytes read-only. */
    static Segment openSealed(Path file, long baseOffset, int size) throws IOException {
        Segment segment = new Segment(file, baseOffset);
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
            mapping = MappedFiles.map(fileChannel, FileChannel.MapMode.READ_WRITE, size);
        } catch (IOException | RuntimeException e) {
            fileChannel.close();
            throw e;
        }
        channel = fileChannel;
        capacity = size;
        writeBuffer = Unpooled.wrappedBuffer(mapping);
        readView = mapping.asReadOnlyBuffer();
    }

    void writeHeader() {
        writeBuffer.setInt(SegmentLayout.MAGIC_OFFSET, SegmentLayout.MAGIC);
        writeBuffer.setShort(SegmentLayout.FORMAT_VERSION_OFFSET, SegmentLayout.FORMAT_VERSION);
        writeBuffer.setShort(SegmentLayout.RESERVED_OFFSET, 0);
        writeBuffer.setLong(SegmentLayout.BASE_OFFSET_OFFSET, baseOffset);
    }

    /** A read-only buffer over the whole mapping, for recovery's scan (allocates; not for the hot path). */
    ByteBuf scanBuffer() {
        return Unpooled.wrappedBuffer(readView.duplicate());
    }

    /** Recovery: the batches before {@code stop} are valid and end before {@code next}; publishes them. */
    void recovered(int stop, long next) {
        nextOffset = next;
        // Nothing recovered is known to be on disk (the last run may have crashed before write-back): the first
        // force covers the whole file, so a later forced batch never survives a power loss without the ones before.
        flushedPosition = 0;
        end = stop;
    }

    /** Recovery only, active segment: zeroes dropped bytes so they can never be taken for batches again. */
    void zeroAndForce(int from, int length) throws IOException {
        writeBuffer.setZero(from, length);
        forceRange(from, length);
    }

    /** Writer side: adds an index entry when {@code index.interval.bytes} have passed since the last one. */
    void indexBatch(long batchBaseOffset, int position, int size, int indexIntervalBytes) {
        if (bytesSinceIndexEntry >= indexIntervalBytes) {
            index.append(batchBaseOffset, position);
            bytesSinceIndexEntry = 0;
        }
        bytesSinceIndexEntry += size;
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

    int end() {
        return end;
    }

    int capacity() {
        return capacity;
    }

    long nextOffset() {
        return nextOffset;
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
        ByteBuf dst = writeBuffer;
        int position = end;
        int index = from;
        long offset = firstOffset;
        while (index < to) {
            int size = LOG_OVERHEAD + src.getInt(index + BATCH_LENGTH_OFFSET);
            dst.setInt(position + BATCH_LENGTH_OFFSET, 0);
            dst.setLong(position + BASE_OFFSET_OFFSET, offset);
            dst.setInt(position + PARTITION_LEADER_EPOCH_OFFSET, leaderEpoch);
            dst.setBytes(position + MAGIC_OFFSET, src, index + MAGIC_OFFSET, size - MAGIC_OFFSET);
            // The body must not reach the page after the length does.
            VarHandle.storeStoreFence();
            dst.setInt(position + BATCH_LENGTH_OFFSET, size - LOG_OVERHEAD);
            offset += src.getInt(index + RECORDS_COUNT_OFFSET);
            index += size;
            position += size;
        }
        return position;
    }

    /** Writer thread. Indexes the batches written in {@code [end, newEnd)}, then publishes them to readers. */
    void publish(int newEnd, long newNextOffset, int indexIntervalBytes) {
        ByteBuf dst = writeBuffer;
        int position = end;
        while (position < newEnd) {
            int size = LOG_OVERHEAD + dst.getInt(position + BATCH_LENGTH_OFFSET);
            indexBatch(dst.getLong(position + BASE_OFFSET_OFFSET), position, size, indexIntervalBytes);
            position += size;
        }
        if (position != newEnd) {
            throw new IllegalStateException("batches written to " + file + " end at " + position + ", not " + newEnd);
        }
        nextOffset = newNextOffset;
        end = newEnd;
    }

    /**
     * Any thread. Whole batches from the one containing {@code offset} (which must lie in this segment and below
     * the log end the caller read before), at most {@code maxBytes} in total except that the first is always
     * included. The buffer views the mapping (valid until {@link #close()}), read-only; release is harmless.
     */
    ByteBuf read(long offset, int maxBytes) {
        int limit = end;
        ByteBuffer view = readView;
        int position = index.floorPosition(offset, HEADER_LENGTH);
        int size;
        while (true) {
            if (position >= limit) {
                throw new IllegalStateException("offset " + offset + " not found in " + file + " below position "
                    + limit);
            }
            size = LOG_OVERHEAD + view.getInt(position + BATCH_LENGTH_OFFSET);
            long batchBase = view.getLong(position + BASE_OFFSET_OFFSET);
            assert batchBase <= offset : "index points past offset " + offset + " in " + file;
            if (batchBase + view.getInt(position + LAST_OFFSET_DELTA_OFFSET) >= offset) {
                break;
            }
            position += size;
        }
        int stop = position + size;
        while (stop < limit) {
            int next = LOG_OVERHEAD + view.getInt(stop + BATCH_LENGTH_OFFSET);
            if ((long) stop + next - position > maxBytes) {
                break;
            }
            stop += next;
        }
        return Unpooled.wrappedBuffer(view.slice(position, stop - position));
    }

    /**
     * Writer thread, empty active segment only: remaps with a larger capacity for an append bigger than the
     * segment. Unmapping right away is safe: readers only view published batches and this segment has none.
     */
    void grow(int newCapacity) throws IOException {
        if (!isEmpty() || sealed) {
            throw new IllegalStateException("only an empty active segment may grow: " + file);
        }
        MappedByteBuffer old = mapping;
        MappedByteBuffer bigger = MappedFiles.map(channel, FileChannel.MapMode.READ_WRITE, newCapacity);
        mapping = bigger;
        capacity = newCapacity;
        writeBuffer = Unpooled.wrappedBuffer(bigger);
        readView = bigger.asReadOnlyBuffer();
        MappedFiles.unmap(old);
    }

    /** Writer thread. Forces the bytes before {@code upTo} that were not forced yet (data only, no metadata). */
    void force(int upTo) throws IOException {
        if (!sealed && upTo > flushedPosition) {
            forceRange(flushedPosition, upTo - flushedPosition);
            flushedPosition = upTo;
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
     * that too, and maps it read-only at that size. After this returns the segment is durable, which is what lets
     * recovery treat any damage in a non-last segment as corruption instead of a torn write.
     */
    void seal() throws IOException {
        int size = end;
        force(size);
        channel.truncate(size);
        channel.force(true);
        MappedByteBuffer readOnly = MappedFiles.map(channel, FileChannel.MapMode.READ_ONLY, size);
        // Readers may hold views of the read-write mapping: keep it until close (pages past the new end of file are
        // gone, but nobody reads at or past the end).
        retired = mapping;
        mapping = readOnly;
        readView = readOnly;
        writeBuffer = null;
        capacity = size;
        sealed = true;
        FileChannel open = channel;
        channel = null;
        open.close();
    }

    /**
     * Releases the mappings and, for the active segment, truncates the file to its published end (so a cleanly
     * closed log has no zero tail) and forces the size. Only when no reader holds a buffer from {@link #read}.
     */
    void close() throws IOException {
        FileChannel open = channel;
        channel = null;
        release();
        if (open != null) {
            try (open) {
                open.truncate(end);
                open.force(true);
            }
        }
    }

    /** Releases the mappings and the channel without touching the file (recovery gave up on it). */
    void release() throws IOException {
        MappedByteBuffer current = mapping;
        MappedByteBuffer old = retired;
        mapping = null;
        retired = null;
        readView = null;
        writeBuffer = null;
        if (old != null) {
            MappedFiles.unmap(old);
        }
        if (current != null) {
            MappedFiles.unmap(current);
        }
        FileChannel open = channel;
        channel = null;
        if (open != null) {
            open.close();
        }
    }

    @Override
    public String toString() {
        return file.getFileName() + (sealed ? " sealed" : " active") + " [" + baseOffset + ", " + nextOffset
            + ") " + end + "/" + capacity + " bytes";
    }
}
