package io.yak.broker.log;

import static io.yak.broker.log.SegmentLayout.HEADER_LENGTH;
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
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code .log} file of one {@link Segment} and its memory mappings ({@code STORAGE.md}, "Active and sealed
 * segments"): creating and opening it, mapping it (read-write at the capacity while active, read-only at its size
 * once sealed), allocating its blocks ahead of every mapped write, forcing, trimming, renaming and deleting it, and
 * the lifetime of its mappings, including those a seal retired (the segment's index files hand theirs in too). It
 * knows nothing of batches: {@link Segment} decides what goes where, {@link SegmentReader} reads the view.
 *
 * <p>Threads: {@link #path()} and {@link #readView()} are volatile and read by any thread; everything else belongs to
 * the thread changing the log (the partition's writer, or an event loop appending in place).
 */
final class SegmentFile {
    /** {@link #reserve} allocates the file ahead of the writes in steps of this many bytes. */
    static final int ALLOCATION_CHUNK = 1 << 20;

    /** Renamed (to {@code .deleted}) only by retention. */
    private volatile Path path;
    /** Read-only view of the current mapping, position 0; readers slice it with absolute indexes only. */
    private volatile ByteBuffer readView;

    // Owned by the thread changing the log (the partition's writer, or an event loop appending in place).
    private FileChannel channel;
    private MappedByteBuffer mapping;
    /** Read-write mappings replaced by a seal; readers may still use them until {@link #releaseRetired()}. */
    private final List<MappedByteBuffer> retired = new ArrayList<>(3);
    private ByteBuf writeBuffer;
    private int capacity;
    private int flushedPosition;
    /** The file has real blocks below this position ({@link #reserve}); it ends at or after it, the mapping later. */
    private int allocated;
    /** A whole allocation step did not fit on the disk: from then on each append allocates just its own bytes. */
    private boolean allocateExactly;
    private boolean sealed;

    private SegmentFile(Path path) {
        this.path = path;
    }

    /**
     * Creates the file {@code path} (it must not exist) with the header of a segment starting at {@code baseOffset},
     * written through the file before anything is mapped (so even a crash right after leaves no hole under the
     * header), and maps {@code capacity} bytes read-write.
     */
    static SegmentFile create(Path path, long baseOffset, int capacity) throws IOException {
        SegmentFile segmentFile = new SegmentFile(path);
        FileChannel channel = FileChannel.open(path, CREATE_NEW, READ, WRITE);
        try {
            writeHeader(channel, baseOffset);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        segmentFile.activate(channel, capacity);
        segmentFile.allocated = HEADER_LENGTH;
        return segmentFile;
    }

    /** Opens an existing file to append to; maps {@code capacity} bytes read-write (the file keeps its length). */
    static SegmentFile openActive(Path path, int capacity) throws IOException {
        SegmentFile segmentFile = new SegmentFile(path);
        segmentFile.activate(FileChannel.open(path, READ, WRITE), capacity);
        return segmentFile;
    }

    /** Opens an existing sealed file: maps exactly {@code size} bytes read-only. */
    static SegmentFile openSealed(Path path, int size) throws IOException {
        SegmentFile segmentFile = new SegmentFile(path);
        try (FileChannel channel = FileChannel.open(path, READ)) {
            MappedByteBuffer readOnly = MappedFiles.map(channel, FileChannel.MapMode.READ_ONLY, size);
            segmentFile.mapping = readOnly;
            segmentFile.readView = readOnly;
        }
        segmentFile.capacity = size;
        segmentFile.sealed = true;
        return segmentFile;
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

    /** The file's current name (a {@code .deleted} one once retired). Any thread. */
    Path path() {
        return path;
    }

    /** Read-only view of the current mapping, position 0; null once released. Any thread. */
    ByteBuffer readView() {
        return readView;
    }

    /** Read-write buffer over the active mapping, null once sealed. Writer thread. */
    ByteBuf writeBuffer() {
        return writeBuffer;
    }

    int capacity() {
        return capacity;
    }

    /** Writer thread: the file has real blocks below this position. */
    int allocated() {
        return allocated;
    }

    boolean isSealed() {
        return sealed;
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

    /** Recovery: the recovered batches end at {@code stop}; see {@link Segment#recovered}. */
    void recovered(int stop) {
        allocated = stop; // data up to the stop, zeros after it (recovery zeroed what it dropped)
        // Nothing recovered is known to be on disk (the last run may have crashed before write-back): the first
        // force covers the whole file, so a later forced batch never survives a power loss without the ones before.
        flushedPosition = 0;
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
                    throw new EOFException(path + " ends before position " + chunkEnd);
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

    /** Recovery, active segment: cuts the file at {@code size}, the end of its data. */
    void truncate(int size) throws IOException {
        channel.truncate(size);
    }

    /** Recovery: writes the header of an active segment whose header never reached the disk, through the file. */
    void writeMissingHeader(long baseOffset) throws IOException {
        writeHeader(channel, baseOffset);
        allocated = Math.max(allocated, HEADER_LENGTH);
    }

    /**
     * Writer thread, before a write of {@code bytes} behind the published {@code end}: gives the file real blocks
     * from there to at least {@code end + bytes} ({@value #ALLOCATION_CHUNK} bytes at a time, at most up to the
     * capacity), so a full disk fails here with an {@link IOException} before anything is copied, never as a fault on
     * the mapping that the JVM would report only after the append seemed done ({@link MappedFiles#allocate}). When a
     * whole step does not fit on the disk any more, exactly the bytes of this append are tried, and of every later
     * one: only an append that cannot fit fails.
     */
    void reserve(int end, int bytes) throws IOException {
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
     * Writer thread, empty active segment only ({@link Segment#grow} checks): remaps with a larger capacity.
     * Unmapping right away is safe: readers only view published batches and the segment has none.
     */
    void grow(int newCapacity) throws IOException {
        MappedByteBuffer old = mapping;
        MappedByteBuffer bigger = mapKeepingLength(channel, newCapacity);
        mapping = bigger;
        capacity = newCapacity;
        writeBuffer = Unpooled.wrappedBuffer(bigger);
        readView = bigger.asReadOnlyBuffer();
        MappedFiles.unmap(old);
    }

    /**
     * Writer thread. Forces the bytes before {@code upTo} that were not forced yet (data only, no metadata).
     *
     * @return whether it forced anything
     */
    boolean force(int upTo) throws IOException {
        if (!sealed && upTo > flushedPosition) {
            forceRange(flushedPosition, upTo - flushedPosition);
            flushedPosition = upTo;
            return true;
        }
        return false;
    }

    private void forceRange(int from, int length) throws IOException {
        try {
            mapping.force(from, length);
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    /**
     * Writer thread, after the batches before {@code size} were forced: truncates the file to {@code size}, forces
     * that (data and size), maps it read-only at that size and closes the channel. The read-write mapping is retired
     * ({@link #releaseRetired()}).
     */
    void seal(int size) throws IOException {
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
    }

    /** Writer thread, sealing: keeps a replaced mapping (this file's or an index file's) until released. */
    void retire(MappedByteBuffer replaced) {
        retired.add(replaced);
    }

    /**
     * Writer thread, once no reader can still use a mapping retired when the segment was sealed (the log waits
     * {@code file.delete.delay.ms}): releases them.
     */
    void releaseRetired() {
        for (MappedByteBuffer old : retired) {
            MappedFiles.unmap(old);
        }
        retired.clear();
    }

    /**
     * Releases every mapping and, for the active segment, truncates the file to {@code end} (so a cleanly closed log
     * has no zero tail) and forces the size. Only when no reader holds a view.
     */
    void close(int end) throws IOException {
        FileChannel open = channel;
        channel = null;
        releaseMappings();
        if (open != null) {
            try (open) {
                open.truncate(end);
                open.force(true);
            }
        }
    }

    /** Releases the mappings and the channel without touching the file (a crash, or recovery gave up). */
    void release() throws IOException {
        releaseMappings();
        FileChannel open = channel;
        channel = null;
        if (open != null) {
            open.close();
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

    /** Writer thread, retention or truncation: renames the file to a free {@code .deleted} name; still mapped. */
    void renameToDeleted() throws IOException {
        Path deleted = deletedName(path);
        Files.move(path, deleted);
        path = deleted;
    }

    /** A free {@code <name>.deleted} or {@code <name>.<n>.deleted} beside {@code path}. */
    static Path deletedName(Path path) {
        String name = path.getFileName().toString();
        Path candidate = path.resolveSibling(name + SegmentLayout.DELETED_SUFFIX);
        for (int n = 1; Files.exists(candidate, LinkOption.NOFOLLOW_LINKS); n++) {
            candidate = path.resolveSibling(name + "." + n + SegmentLayout.DELETED_SUFFIX);
        }
        return candidate;
    }

    /**
     * Writer thread, truncation: writes a complete segment file {@code target} (replacing any) with base offset
     * {@code newBaseOffset} holding this file's bytes {@code [16, upTo)} byte for byte (so at the same positions),
     * through the file, and forces it (data and size). Allocates nothing on the heap for the batches: they go from
     * the mapping to the file.
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
}
