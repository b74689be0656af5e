package io.yak.broker.log;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.file.Path;

/**
 * What the offset index and the time index share: one {@link IndexFile} of a segment with base offset
 * {@link #baseOffset}, and its life cycle (grow while active, seal, close or release, rename for retention). The
 * subclasses add their entry layout, appends and lookups.
 */
abstract class SegmentIndex {
    final IndexFile file;
    final long baseOffset;

    SegmentIndex(IndexFile file, long baseOffset) {
        this.file = file;
        this.baseOffset = baseOffset;
    }

    final int size() {
        return file.entries();
    }

    final Path file() {
        return file.file();
    }

    final boolean isSealed() {
        return file.isSealed();
    }

    final void grow(int maxEntries) throws IOException {
        file.grow(maxEntries);
    }

    /** Writer thread: trims, forces, maps read-only; returns the old mapping for a deferred release. */
    final MappedByteBuffer seal() throws IOException {
        return file.seal();
    }

    final void close() throws IOException {
        file.close();
    }

    final void release() throws IOException {
        file.release();
    }

    final void renameTo(Path target) throws IOException {
        file.renameTo(target);
    }

    @Override
    public final String toString() {
        return getClass().getSimpleName() + "[" + file + "]";
    }
}
