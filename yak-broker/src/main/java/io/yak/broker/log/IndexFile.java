package io.yak.broker.log;

import static io.yak.broker.log.IndexLayout.HEADER_LENGTH;
import static java.nio.file.StandardOpenOption.CREATE;
import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.TRUNCATE_EXISTING;
import static java.nio.file.StandardOpenOption.WRITE;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.CRC32C;

/**
 * A memory-mapped file of fixed-size entries behind a 16-byte header ({@code STORAGE.md}, "Index files"): the
 * storage under {@link OffsetIndex} and {@link TimeIndex}, which know what an entry means.
 *
 * <p>Active: created preallocated to {@code maxEntries} entries and mapped read-write; the partition writer thread
 * stores an entry and then publishes the new count (volatile). Sealed: trimmed to its entries, forced and mapped
 * read-only. Readers (any thread) read {@link #entries()} first, then {@link #view()}, and never look at entries at
 * or past the count; they keep no reference beyond one lookup.
 *
 * <p>Mapping lifetime: {@link #seal()} hands back the read-write mapping instead of unmapping it, because a reader
 * may be in the middle of a lookup on it; the owner releases it later ({@link Segment#releaseRetired()}).
 */
final class IndexFile {
    private final long baseOffset;
    private final int magic;
    private final int entryLength;

    /** Readers' view of the current mapping; entries below {@link #entries} never change once published. */
    private volatile ByteBuffer view;
    private volatile int entries;

    // Owned by the partition writer thread.
    private Path file;
    private FileChannel channel;
    private MappedByteBuffer mapping;
    private int maxEntries;

    /** Thrown by {@link #openSealed} for a file that cannot be used; the caller rebuilds it from the segment. */
    static final class InvalidException extends Exception {
        private static final long serialVersionUID = 1L;

        InvalidException(String message) {
            super(message, null, false, false);
        }
    }

    private IndexFile(Path file, int magic, int entryLength, long baseOffset) {
        this.file = file;
        this.magic = magic;
        this.entryLength = entryLength;
        this.baseOffset = baseOffset;
    }

    /** Creates (or empties) {@code file}, preallocated and mapped read-write for {@code maxEntries} entries. */
    static IndexFile create(Path file, int magic, int entryLength, long baseOffset, int maxEntries)
        throws IOException {
        long size = HEADER_LENGTH + (long) maxEntries * entryLength;
        if (maxEntries < 0 || size > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("index " + file + " of " + maxEntries + " entries");
        }
        IndexFile index = new IndexFile(file, magic, entryLength, baseOffset);
        FileChannel channel = FileChannel.open(file, CREATE, TRUNCATE_EXISTING, READ, WRITE);
        try {
            MappedFiles.allocate(channel, 0, size); // a full disk fails here, not as a fault on an entry's write
            index.mapping = MappedFiles.map(channel, FileChannel.MapMode.READ_WRITE, (int) size);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        index.channel = channel;
        index.maxEntries = maxEntries;
        index.mapping.putInt(IndexLayout.MAGIC_OFFSET, magic);
        index.mapping.putShort(IndexLayout.FORMAT_VERSION_OFFSET, IndexLayout.FORMAT_VERSION);
        index.mapping.putShort(IndexLayout.RESERVED_OFFSET, (short) 0);
        index.mapping.putLong(IndexLayout.BASE_OFFSET_OFFSET, baseOffset);
        index.mapping.putInt(IndexLayout.ENTRY_COUNT_OFFSET, IndexLayout.ACTIVE_ENTRY_COUNT);
        index.mapping.putInt(IndexLayout.ENTRIES_CRC_OFFSET, 0);
        index.view = index.mapping.asReadOnlyBuffer();
        return index;
    }

    /**
     * Maps an existing sealed index read-only after checking its size, its header (this index's magic, version and
     * base offset; an entry count that matches the size) and the CRC32C of its entries; what the entries say is the
     * caller's to check. Leaves nothing mapped when it throws.
     *
     * @throws InvalidException when the file is missing or fails one of those checks
     */
    static IndexFile openSealed(Path file, int magic, int entryLength, long baseOffset)
        throws IOException, InvalidException {
        IndexFile index = new IndexFile(file, magic, entryLength, baseOffset);
        long size;
        try (FileChannel channel = FileChannel.open(file, READ)) {
            size = channel.size();
            if (size < HEADER_LENGTH || size > Integer.MAX_VALUE || (size - HEADER_LENGTH) % entryLength != 0) {
                throw new InvalidException("file of " + size + " bytes is not a " + HEADER_LENGTH
                    + "-byte header plus whole " + entryLength + "-byte entries");
            }
            index.mapping = MappedFiles.map(channel, FileChannel.MapMode.READ_ONLY, (int) size);
        } catch (NoSuchFileException e) {
            throw new InvalidException("file missing");
        }
        String problem = index.headerProblem();
        if (problem != null) {
            index.release();
            throw new InvalidException(problem);
        }
        index.view = index.mapping;
        index.maxEntries = (int) ((size - HEADER_LENGTH) / entryLength);
        index.entries = index.maxEntries;
        return index;
    }

    private String headerProblem() {
        int actualMagic = mapping.getInt(IndexLayout.MAGIC_OFFSET);
        if (actualMagic != magic) {
            return "magic 0x" + Integer.toHexString(actualMagic) + " != 0x" + Integer.toHexString(magic);
        }
        short version = mapping.getShort(IndexLayout.FORMAT_VERSION_OFFSET);
        if (version != IndexLayout.FORMAT_VERSION) {
            return "format version " + version + ", this broker reads " + IndexLayout.FORMAT_VERSION;
        }
        long headerBase = mapping.getLong(IndexLayout.BASE_OFFSET_OFFSET);
        if (headerBase != baseOffset) {
            return "header base offset " + headerBase + " != segment base offset " + baseOffset;
        }
        int count = mapping.getInt(IndexLayout.ENTRY_COUNT_OFFSET);
        int held = (mapping.capacity() - HEADER_LENGTH) / entryLength;
        if (count == IndexLayout.ACTIVE_ENTRY_COUNT) {
            return "never sealed (entry count " + count + ")";
        }
        if (count != held) {
            return "header says " + count + " entries, the file holds " + held;
        }
        int stored = mapping.getInt(IndexLayout.ENTRIES_CRC_OFFSET);
        int computed = entriesCrc(mapping, count, entryLength);
        if (stored != computed) {
            return "entries CRC32C mismatch: stored " + Integer.toHexString(stored) + ", computed "
                + Integer.toHexString(computed);
        }
        return null;
    }

    /** CRC32C of the first {@code count} entries. Allocates; seal and open only. */
    private static int entriesCrc(ByteBuffer buffer, int count, int entryLength) {
        ByteBuffer entries = buffer.duplicate();
        entries.limit(entryPosition(count, entryLength)).position(HEADER_LENGTH);
        CRC32C crc = new CRC32C();
        crc.update(entries);
        return (int) crc.getValue();
    }

    /** Published entries. Any thread; read it before {@link #view()}. */
    int entries() {
        return entries;
    }

    /** Read-only view of the mapping (position 0); absolute gets only. Any thread. */
    ByteBuffer view() {
        return view;
    }

    /** Position of entry {@code slot} in the file. */
    static int entryPosition(int slot, int entryLength) {
        return HEADER_LENGTH + slot * entryLength;
    }

    /** Writer thread: the read-write mapping to store entry {@link #entries()} into before {@link #publish}. */
    ByteBuffer writable() {
        if (channel == null) {
            throw new IllegalStateException("index " + file + " is sealed");
        }
        if (entries == maxEntries) {
            throw new IllegalStateException("index " + file + " is full (" + maxEntries + " entries)");
        }
        return mapping;
    }

    /** Writer thread: makes {@code count} entries visible to readers. */
    void publish(int count) {
        entries = count;
    }

    Path file() {
        return file;
    }

    boolean isSealed() {
        return channel == null;
    }

    /**
     * Writer thread, empty active index only: remaps for {@code newMaxEntries}. Unmaps the old mapping at once:
     * nobody looks up an index without entries.
     */
    void grow(int newMaxEntries) throws IOException {
        if (entries != 0 || channel == null) {
            throw new IllegalStateException("only an empty active index may grow: " + file);
        }
        long size = HEADER_LENGTH + (long) newMaxEntries * entryLength;
        if (newMaxEntries <= maxEntries || size > Integer.MAX_VALUE) {
            return;
        }
        MappedFiles.allocate(channel, HEADER_LENGTH + (long) maxEntries * entryLength, size);
        MappedByteBuffer old = mapping;
        MappedByteBuffer bigger = MappedFiles.map(channel, FileChannel.MapMode.READ_WRITE, (int) size);
        mapping = bigger;
        view = bigger.asReadOnlyBuffer();
        maxEntries = newMaxEntries;
        MappedFiles.unmap(old);
    }

    /**
     * Writer thread. Stores the entry count and their CRC32C in the header, trims the file to its entries, forces it
     * (data and size) and maps it read-only.
     *
     * @return the read-write mapping, which readers may still be using: the caller releases it later
     */
    MappedByteBuffer seal() throws IOException {
        int count = entries;
        int size = entryPosition(count, entryLength);
        mapping.putInt(IndexLayout.ENTRIES_CRC_OFFSET, entriesCrc(mapping, count, entryLength));
        mapping.putInt(IndexLayout.ENTRY_COUNT_OFFSET, count);
        force();
        channel.truncate(size);
        channel.force(true);
        MappedByteBuffer readOnly = MappedFiles.map(channel, FileChannel.MapMode.READ_ONLY, size);
        MappedByteBuffer old = mapping;
        mapping = readOnly;
        view = readOnly;
        maxEntries = entries;
        FileChannel open = channel;
        channel = null;
        open.close();
        return old;
    }

    private void force() throws IOException {
        try {
            mapping.force();
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    /**
     * Writer thread, when nothing reads any more: unmaps; an active index is also trimmed to its entries and forced,
     * so a cleanly closed log has no preallocated index tails.
     */
    void close() throws IOException {
        FileChannel open = channel;
        channel = null;
        releaseMapping();
        if (open != null) {
            try (open) {
                open.truncate(entryPosition(entries, entryLength));
                open.force(true);
            }
        }
    }

    /** Unmaps and closes without touching the file. */
    void release() throws IOException {
        releaseMapping();
        FileChannel open = channel;
        channel = null;
        if (open != null) {
            open.close();
        }
    }

    private void releaseMapping() {
        MappedByteBuffer current = mapping;
        mapping = null;
        view = null;
        if (current != null) {
            MappedFiles.unmap(current);
        }
    }

    /** Writer thread: renames the file (retention); the mapping stays valid. */
    void renameTo(Path target) throws IOException {
        Files.move(file, target);
        file = target;
    }

    @Override
    public String toString() {
        return file.getFileName() + " " + entries + "/" + maxEntries + " entries";
    }
}
