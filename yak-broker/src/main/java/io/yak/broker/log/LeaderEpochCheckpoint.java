package io.yak.broker.log;

import static io.yak.broker.log.LeaderEpochLayout.ENTRY_COUNT_OFFSET;
import static io.yak.broker.log.LeaderEpochLayout.ENTRY_LENGTH;
import static io.yak.broker.log.LeaderEpochLayout.EPOCH_OFFSET;
import static io.yak.broker.log.LeaderEpochLayout.FORMAT_VERSION;
import static io.yak.broker.log.LeaderEpochLayout.FORMAT_VERSION_OFFSET;
import static io.yak.broker.log.LeaderEpochLayout.HEADER_LENGTH;
import static io.yak.broker.log.LeaderEpochLayout.MAGIC;
import static io.yak.broker.log.LeaderEpochLayout.MAGIC_OFFSET;
import static io.yak.broker.log.LeaderEpochLayout.MAX_ENTRIES;
import static io.yak.broker.log.LeaderEpochLayout.RESERVED_OFFSET;
import static io.yak.broker.log.LeaderEpochLayout.START_OFFSET_OFFSET;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A partition's {@code leader-epoch-checkpoint} file ({@code STORAGE.md}, "Leader-epoch checkpoint file"): the
 * entries of its {@link LeaderEpochCache}. Replaced atomically (temp file, force, rename, fsync of the directory; in
 * place when the disk is too full for the temp file and the size did not change: the CRC32C tells a torn write).
 * Writer thread or open only.
 */
final class LeaderEpochCheckpoint {
    private static final Logger LOG = LoggerFactory.getLogger(LeaderEpochCheckpoint.class);

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
        byte[] bytes;
        try {
            if (Files.size(file) > LeaderEpochLayout.fileLength(MAX_ENTRIES)) {
                throw new InvalidFileException(file + " has " + Files.size(file) + " bytes, more than "
                    + MAX_ENTRIES + " entries take");
            }
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return null;
        }
        if (bytes.length < LeaderEpochLayout.fileLength(0)) {
            throw new InvalidFileException(file + " has " + bytes.length + " bytes, less than the "
                + LeaderEpochLayout.fileLength(0) + " of an empty one");
        }
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        if (buf.getInt(MAGIC_OFFSET) != MAGIC) {
            throw new InvalidFileException(file + ": magic 0x" + Integer.toHexString(buf.getInt(MAGIC_OFFSET))
                + " != 0x" + Integer.toHexString(MAGIC));
        }
        if (buf.getShort(FORMAT_VERSION_OFFSET) != FORMAT_VERSION) {
            throw new InvalidFileException(file + ": format version " + buf.getShort(FORMAT_VERSION_OFFSET)
                + ", this broker reads " + FORMAT_VERSION);
        }
        int count = buf.getInt(ENTRY_COUNT_OFFSET);
        if (count < 0 || count > MAX_ENTRIES || bytes.length != LeaderEpochLayout.fileLength(count)) {
            throw new InvalidFileException(file + ": entry count " + count + " in a file of " + bytes.length
                + " bytes");
        }
        int crcPosition = bytes.length - LeaderEpochLayout.CRC_LENGTH;
        int crc = crc(bytes, crcPosition);
        if (buf.getInt(crcPosition) != crc) {
            throw new InvalidFileException(file + ": CRC32C mismatch: stored "
                + Integer.toHexString(buf.getInt(crcPosition)) + ", computed " + Integer.toHexString(crc));
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

    /** Replaces {@code <directory>/leader-epoch-checkpoint} atomically with the first {@code count} entries. */
    static void write(Path directory, int[] epochs, long[] startOffsets, int count) throws IOException {
        byte[] bytes = new byte[LeaderEpochLayout.fileLength(count)];
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        buf.putInt(MAGIC_OFFSET, MAGIC);
        buf.putShort(FORMAT_VERSION_OFFSET, FORMAT_VERSION);
        buf.putShort(RESERVED_OFFSET, (short) 0);
        buf.putInt(ENTRY_COUNT_OFFSET, count);
        for (int i = 0; i < count; i++) {
            int position = HEADER_LENGTH + i * ENTRY_LENGTH;
            buf.putInt(position + EPOCH_OFFSET, epochs[i]);
            buf.putLong(position + START_OFFSET_OFFSET, startOffsets[i]);
        }
        int crcPosition = bytes.length - LeaderEpochLayout.CRC_LENGTH;
        buf.putInt(crcPosition, crc(bytes, crcPosition));
        Path file = directory.resolve(SegmentLayout.LEADER_EPOCH_FILE);
        if (DurableFiles.replaceOrOverwrite(file, bytes)) {
            LOG.warn("{}: no space for {}.tmp (disk full?), overwrote it in place", file, file.getFileName());
        }
    }

    private static int crc(byte[] bytes, int length) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, length);
        return (int) crc.getValue();
    }
}
