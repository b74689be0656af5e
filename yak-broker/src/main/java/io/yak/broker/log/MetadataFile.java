package io.yak.broker.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The frame a partition's small metadata files share ({@code recovery-point}, {@code leader-epoch-checkpoint},
 * {@code high-watermark}; {@code STORAGE.md}): int32 magic at 0, int16 format version at 4, int16 reserved at 6
 * (written 0, ignored on read), the file's own fields, and last a CRC32C of every byte before it. Their layout
 * classes ({@link RecoveryPointLayout}, {@link LeaderEpochLayout}, {@link HighWatermarkLayout}) have these offsets;
 * {@code SegmentLayoutTest} checks it. Reads check the frame; writes replace the file atomically, or overwrite it in
 * place with a WARN when the disk is too full for the temp file (the CRC32C tells a torn write:
 * {@link DurableFiles#replaceOrOverwrite}). Blocks: writer thread or open only.
 */
final class MetadataFile {
    private static final Logger LOG = LoggerFactory.getLogger(MetadataFile.class);

    static final int MAGIC_OFFSET = 0;
    static final int FORMAT_VERSION_OFFSET = 4;
    static final int RESERVED_OFFSET = 6;
    /** The CRC32C is the last field, of this many bytes. */
    static final int CRC_LENGTH = 4;

    private MetadataFile() {
    }

    /**
     * Reads {@code file} and checks its frame: {@code minLength <= size <= maxLength} (the upper bound before reading
     * it), magic, format version and CRC32C. The caller checks its own fields.
     *
     * @return the file's bytes, for absolute gets; null when there is no such file
     * @throws InvalidFileException naming the file and the value that is wrong
     */
    static ByteBuffer read(Path file, int magic, short formatVersion, int minLength, int maxLength)
        throws IOException, InvalidFileException {
        byte[] bytes;
        try {
            if (Files.size(file) > maxLength) {
                throw new InvalidFileException(file + " has " + Files.size(file) + " bytes, " + bounds(minLength,
                    maxLength));
            }
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return null;
        }
        if (bytes.length < minLength || bytes.length > maxLength) {
            throw new InvalidFileException(file + " has " + bytes.length + " bytes, " + bounds(minLength, maxLength));
        }
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        if (buf.getInt(MAGIC_OFFSET) != magic) {
            throw new InvalidFileException(file + ": magic 0x" + Integer.toHexString(buf.getInt(MAGIC_OFFSET))
                + " != 0x" + Integer.toHexString(magic));
        }
        if (buf.getShort(FORMAT_VERSION_OFFSET) != formatVersion) {
            throw new InvalidFileException(file + ": format version " + buf.getShort(FORMAT_VERSION_OFFSET)
                + ", this broker reads " + formatVersion);
        }
        int crcPosition = bytes.length - CRC_LENGTH;
        int crc = crc(bytes, crcPosition);
        if (buf.getInt(crcPosition) != crc) {
            throw new InvalidFileException(file + ": CRC32C mismatch: stored "
                + Integer.toHexString(buf.getInt(crcPosition)) + ", computed " + Integer.toHexString(crc));
        }
        return buf;
    }

    private static String bounds(int minLength, int maxLength) {
        return minLength == maxLength ? "not " + minLength : "outside " + minLength + ".." + maxLength;
    }

    /** A zeroed file of {@code length} bytes with its magic and format version, for the caller's fields. */
    static ByteBuffer create(int length, int magic, short formatVersion) {
        ByteBuffer buf = ByteBuffer.wrap(new byte[length]);
        buf.putInt(MAGIC_OFFSET, magic);
        buf.putShort(FORMAT_VERSION_OFFSET, formatVersion);
        return buf;
    }

    /**
     * Fills in the CRC32C (the last {@link #CRC_LENGTH} bytes of {@code created}, from {@link #create}) and replaces
     * {@code file} with it: temp file, force, rename, fsync of the directory; in place with a WARN when the disk has
     * no room for the temp file.
     */
    static void write(Path file, ByteBuffer created) throws IOException {
        byte[] bytes = created.array();
        int crcPosition = bytes.length - CRC_LENGTH;
        created.putInt(crcPosition, crc(bytes, crcPosition));
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
