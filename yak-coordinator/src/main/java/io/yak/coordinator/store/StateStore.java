package io.yak.coordinator.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The coordinator's state file {@value #FILE_NAME} in data.dir, replaced atomically on every save: the new content
 * goes to {@value #TEMP_FILE_NAME}, is forced to disk, renamed over the old file with an atomic move, and the
 * directory is forced so the rename itself survives power loss. A crash at any point leaves either the old or the
 * new file, never a mix; a leftover temp file is deleted when the store is opened. Format: {@code STATE.md}.
 *
 * <p>The directory is locked ({@value #LOCK_FILE_NAME}) while the store is open, so two coordinators never share a
 * data.dir. Blocking file I/O: never call from an event loop. Not thread-safe; the coordinator calls it from its
 * store thread only (and from {@code start()} before that thread exists).
 */
public final class StateStore implements AutoCloseable {
    public static final String FILE_NAME = "coordinator.state";
    public static final String TEMP_FILE_NAME = FILE_NAME + ".tmp";
    public static final String LOCK_FILE_NAME = ".lock";
    /** Larger files are rejected as corrupt before they are read into memory. */
    static final long MAX_FILE_BYTES = 256L * 1024 * 1024;

    private static final Logger LOG = LoggerFactory.getLogger(StateStore.class);

    private final Path dir;
    private final Path file;
    private final Path tempFile;
    private final FileChannel lockChannel;
    private final FileLock lock;

    private StateStore(Path dir, FileChannel lockChannel, FileLock lock) {
        this.dir = dir;
        this.file = dir.resolve(FILE_NAME);
        this.tempFile = dir.resolve(TEMP_FILE_NAME);
        this.lockChannel = lockChannel;
        this.lock = lock;
    }

    /**
     * Opens (creating it if needed) and locks the data directory, and deletes a temp file left by a crash.
     *
     * @throws IOException when the directory cannot be created or is locked by another process
     */
    public static StateStore open(Path dir) throws IOException {
        Files.createDirectories(dir);
        FileChannel ch = FileChannel.open(dir.resolve(LOCK_FILE_NAME), StandardOpenOption.CREATE,
            StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = ch.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;
        } catch (IOException e) {
            ch.close();
            throw e;
        }
        if (lock == null) {
            ch.close();
            // Worded to follow the caller's "cannot use data.dir D: ".
            throw new IOException("in use by another coordinator (" + dir.resolve(LOCK_FILE_NAME).toAbsolutePath()
                + " is locked)");
        }
        StateStore store = new StateStore(dir, ch, lock);
        if (Files.deleteIfExists(store.tempFile)) {
            LOG.warn("deleted {} left by an interrupted save; {} is the last complete state", store.tempFile,
                store.file);
        }
        return store;
    }

    public Path file() {
        return file;
    }

    /**
     * Reads the state file.
     *
     * @return empty when there is no state file yet (a new cluster)
     * @throws CorruptStateException when the file exists but is not a valid state file
     * @throws IOException           when it cannot be read
     */
    public Optional<CoordinatorSnapshot> load() throws IOException {
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        long size = Files.size(file);
        if (size > MAX_FILE_BYTES) {
            throw new CorruptStateException("corrupt coordinator state file " + file + ": " + size + " bytes > "
                + MAX_FILE_BYTES);
        }
        return Optional.of(StateFileCodec.decode(Files.readAllBytes(file), file.toString()));
    }

    /**
     * Replaces the state file with {@code snapshot}; durable when this returns.
     *
     * @throws IOException when any step fails; the previous state file is then still intact
     */
    public void save(CoordinatorSnapshot snapshot) throws IOException {
        ByteBuffer bytes = ByteBuffer.wrap(StateFileCodec.encode(snapshot));
        try (FileChannel ch = FileChannel.open(tempFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            while (bytes.hasRemaining()) {
                ch.write(bytes);
            }
            ch.force(true);
        }
        Files.move(tempFile, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        forceDirectory();
    }

    /** Makes the rename durable: on Linux a directory is opened read-only and forced like a file. */
    private void forceDirectory() throws IOException {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        }
    }

    /** Releases the directory lock. */
    @Override
    public void close() throws IOException {
        try {
            lock.release();
        } finally {
            lockChannel.close();
        }
    }
}
