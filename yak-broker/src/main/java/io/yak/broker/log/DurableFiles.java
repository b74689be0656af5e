package io.yak.broker.log;

import static java.nio.file.StandardOpenOption.CREATE;
import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.TRUNCATE_EXISTING;
import static java.nio.file.StandardOpenOption.WRITE;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** Small files replaced so that a crash leaves either the old or the new content, never a mix. */
public final class DurableFiles {
    private DurableFiles() {
    }

    /**
     * Writes {@code bytes} to {@code <file>.tmp}, forces it, renames it over {@code file} and forces the directory:
     * after a crash {@code file} holds the old or the new bytes (a leftover {@code .tmp} is the caller's to ignore).
     */
    public static void replace(Path file, byte[] bytes) throws IOException {
        writeTemp(file, bytes);
        install(file);
    }

    /**
     * As {@link #replace}, but when the temp file cannot be written or forced (a full disk has no block for it) and
     * {@code file} exists with exactly as many bytes, overwrites it in place, which needs no new block, and forces it.
     * A failed rename or directory sync is not retried that way: it is thrown. A crash during the in-place write
     * could leave a mix of old and new bytes, so this is only for files whose content carries a checksum that tells
     * such a mix apart.
     *
     * @return false when the file was replaced, true when it was overwritten in place
     * @throws IOException the temp file's failure (the overwrite's, if tried, suppressed in it), or the rename's or
     *                     the directory sync's
     */
    public static boolean replaceOrOverwrite(Path file, byte[] bytes) throws IOException {
        try {
            writeTemp(file, bytes);
        } catch (IOException e) {
            try {
                Files.deleteIfExists(temp(file));
                if (!Files.isRegularFile(file) || Files.size(file) != bytes.length) {
                    throw e;
                }
                writeForced(file, bytes, WRITE);
                return true;
            } catch (IOException overwrite) {
                if (overwrite != e) {
                    e.addSuppressed(overwrite);
                }
                throw e;
            }
        }
        install(file);
        return false;
    }

    private static Path temp(Path file) {
        return file.resolveSibling(file.getFileName() + ".tmp");
    }

    private static void writeTemp(Path file, byte[] bytes) throws IOException {
        writeForced(temp(file), bytes, CREATE, WRITE, TRUNCATE_EXISTING);
    }

    /** Writes {@code bytes} from the start of {@code target} and forces them (and the size). */
    private static void writeForced(Path target, byte[] bytes, OpenOption... options) throws IOException {
        try (FileChannel channel = FileChannel.open(target, options)) {
            ByteBuffer src = ByteBuffer.wrap(bytes);
            while (src.hasRemaining()) {
                channel.write(src, src.position());
            }
            channel.force(true);
        }
    }

    /** Renames the forced temp file over {@code file} and makes the rename durable. */
    private static void install(Path file) throws IOException {
        Files.move(temp(file), file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        syncDirectory(file.getParent());
    }

    /** Makes file creations, deletions and renames in {@code directory} durable (Linux: fsync on the directory). */
    public static void syncDirectory(Path directory) throws IOException {
        try (FileChannel dir = FileChannel.open(directory, READ)) {
            dir.force(true);
        }
    }
}
