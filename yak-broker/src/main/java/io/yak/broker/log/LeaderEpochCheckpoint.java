package io.yak.broker.log;

import static io.yak.broker.log.LeaderEpochLayout.ENTRY_COUNT_OFFSET;
import static io.yak.broker.log.LeaderEpochLayout.ENTRY_LENGTH;
import static io.yak.broker.log.LeaderEpochLayout.EPOCH_OFFSET;
import static io.yak.broker.log.LeaderEpochLayout.FORMAT_VERSION;
import static io.yak.broker.log.LeaderEpochLayout.HEADER_LENGTH;
import static io.yak.broker.log.LeaderEpochLayout.MAGIC;
import static io.yak.broker.log.LeaderEpochLayout.MAX_ENTRIES;
import static io.yak.broker.log.LeaderEpochLayout.START_OFFSET_OFFSET;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * A partition's {@code leader-epoch-checkpoint} file ({@code STORAGE.md}, "Leader-epoch checkpoint file"): the
 * entries of its {@link LeaderEpochCache}. Replaced atomically (temp file, force, rename, fsync of the directory; in
 * place when the disk is too full for the temp file and the size did not change: the CRC32C tells a torn write), see
 * {@link MetadataFile}. Writer thread or open only.
 */
final class LeaderEpochCheckpoint {
    private LeaderEpochCheckpoint() {
    }

    /** Entries as read: {@code epochs[i]} started at {@code startOffsets[i]}. */
    record Entries(int[] epochs, long[] startOffsets) {
    }

    /**
     * Reads {@code <directory>/leader-epoch-checkpoint}.
     *
     * @return null when there is no such file
     * @throws InvalidFileException when it exists but its size, magic, version, count, CRC32C or entries are wrong
     *                              (epochs must be at least 0 and strictly increase, start offsets at least 0 and
     *                              never decrease)
     */
    static Entries read(Path directory) throws IOException, InvalidFileException {
        Path file = directory.resolve(SegmentLayout.LEADER_EPOCH_FILE);
        ByteBuffer buf = MetadataFile.read(file, MAGIC, FORMAT_VERSION, LeaderEpochLayout.fileLength(0),
            LeaderEpochLayout.fileLength(MAX_ENTRIES));
        if (buf == null) {
            return null;
        }
        int count = buf.getInt(ENTRY_COUNT_OFFSET);
        if (count < 0 || count > MAX_ENTRIES || buf.capacity() != LeaderEpochLayout.fileLength(count)) {
            throw new InvalidFileException(file + ": entry count " + count + " in a file of " + buf.capacity()
                + " bytes");
        }
        int[] epochs = new int[count];
        long[] starts = new long[count];
        for (int i = 0; i < count; i++) {
            int position = HEADER_LENGTH + i * ENTRY_LENGTH;
            epochs[i] = buf.getInt(position + EPOCH_OFFSET);
            starts[i] = buf.getLong(position + START_OFFSET_OFFSET);
            if (epochs[i] < 0 || starts[i] < 0 || i > 0 && (epochs[i] <= epochs[i - 1] || starts[i] < starts[i - 1])) {
                throw new InvalidFileException(file + ": entry " + i + " (epoch " + epochs[i] + ", start offset "
                    + starts[i] + ") does not follow "
                    + (i == 0 ? "the rules" : "(epoch " + epochs[i - 1] + ", start offset " + starts[i - 1] + ")"));
            }
        }
        return new Entries(epochs, starts);
    }

    /**
     * Replaces {@code <directory>/leader-epoch-checkpoint} atomically with the entries {@code epochs[i]} starting at
     * {@code startOffsets[i]}.
     */
    static void write(Path directory, int[] epochs, long[] startOffsets) throws IOException {
        int count = epochs.length;
        ByteBuffer buf = MetadataFile.create(LeaderEpochLayout.fileLength(count), MAGIC, FORMAT_VERSION);
        buf.putInt(ENTRY_COUNT_OFFSET, count);
        for (int i = 0; i < count; i++) {
            int position = HEADER_LENGTH + i * ENTRY_LENGTH;
            buf.putInt(position + EPOCH_OFFSET, epochs[i]);
            buf.putLong(position + START_OFFSET_OFFSET, startOffsets[i]);
        }
        MetadataFile.write(directory.resolve(SegmentLayout.LEADER_EPOCH_FILE), buf);
    }
}
