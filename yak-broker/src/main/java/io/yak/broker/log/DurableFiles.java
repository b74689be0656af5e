package io.yak.broker.log;

import static java.nio.file.StandardOpenOption.CREATE;
import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.TRUNCATE_EXISTING;
import static java.nio.file.StandardOpenOption.WRITE;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
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
        Path temp = writeTemp(file, bytes);
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        syncDirectory(file.getParent());
    }

    private static Path writeTemp(Path file, byte[] bytes) throws IOException {
        Path temp = file.resolveSibling(file.getFileName() + ".tmp");
        try (FileChannel channel = FileChannel.open(temp, CREATE, WRITE, TRUNCATE_EXISTING)) {
            ByteBuffer src = ByteBuffer.wrap(bytes);
            while (src.hasRemaining()) {
                channel.write(src);
            }
            channel.force(true);
        }
        return temp;
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
        Path temp;
        try {
            temp = writeTemp(file, bytes);
        } catch (IOException e) {
            try {
                Files.deleteIfExists(file.resolveSibling(file.getFileName() + ".tmp"));
                if (!Files.isRegularFile(file) || Files.size(file) != bytes.length) {
                    throw e;
                }
                try (FileChannel channel = FileChannel.open(file, WRITE)) {
                    ByteBuffer src = ByteBuffer.wrap(bytes);
                    while (src.hasRemaining()) {
                        channel.write(src, src.position());
                    }
                    channel.force(true);
                }
                return true;
            } catch (IOException overwrite) {
                if (overwrite != e) {
                    e.addSuppressed(overwrite);
                }
                throw e;
            }
        }
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        syncDirectory(file.getParent());
        return false;
    }

    /** Makes file creations, deletions and renames in {@code directory} durable (Linux: fsync on the directory). */
    public static void syncDirectory(Path directory) throws IOException {
        try (FileChannel dir = FileChannel.open(directory, READ)) {
            dir.force(true);
        }
    }
}
