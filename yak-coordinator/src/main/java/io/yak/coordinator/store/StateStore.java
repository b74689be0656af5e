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
 * The coordinator's persisted state in data.dir: a snapshot, {@value #FILE_NAME}, and the change log after it,
 * {@value #LOG_FILE_NAME}, where each change is appended as a small record ({@link #append}) instead of rewriting
 * the whole state. A snapshot is replaced atomically ({@link #save}): the new content goes to
 * {@value #TEMP_FILE_NAME}, is forced to disk, renamed over the old file with an atomic move, and the directory is
 * forced so the rename itself survives power loss; a crash leaves either the old or the new file. Compaction
 * ({@link #compact}) writes a snapshot of everything and then empties the log; records replayed over a snapshot
 * that already holds them change nothing, so a crash between the two steps is harmless. Format: {@code STATE.md}.
 *
 * <p>The directory is locked ({@value #LOCK_FILE_NAME}) while the store is open, so two coordinators never share a
 * data.dir. Blocking file I/O: never call from an event loop. Not thread-safe; the coordinator calls it from its
 * store thread only (and from {@code start()} before that thread exists).
 */
public final class StateStore implements AutoCloseable {
    public static final String FILE_NAME = "coordinator.state";
    public static final String TEMP_FILE_NAME = FILE_NAME + ".tmp";
    public static final String LOG_FILE_NAME = "coordinator.log";
    public static final String LOCK_FILE_NAME = ".lock";
    /** Larger files are rejected as corrupt before they are read into memory. */
    static final long MAX_FILE_BYTES = 256L * 1024 * 1024;

    private static final Logger LOG = LoggerFactory.getLogger(StateStore.class);

    private final Path dir;
    private final Path file;
    private final Path tempFile;
    private final Path logFile;
    /** The change log, open for appending once {@link #load} ran; null before. */
    private FileChannel log;
    private long logBytes;
    private final FileChannel lockChannel;
    private final FileLock lock;

    private StateStore(Path dir, FileChannel lockChannel, FileLock lock) {
        this.dir = dir;
        this.file = dir.resolve(FILE_NAME);
        this.tempFile = dir.resolve(TEMP_FILE_NAME);
        this.logFile = dir.resolve(LOG_FILE_NAME);
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
     * Reads the snapshot and replays the change log over it, and opens the log for {@link #append}. When the log
     * held anything, it is compacted at once (a new snapshot, an empty log), so a restart starts from one file. A
     * torn last record (a crash while appending) is dropped with a WARN: it was never answered.
     *
     * @return empty when there is neither (a new cluster)
     * @throws CorruptStateException when a file exists but is not valid
     * @throws IOException           when it cannot be read
     */
    public Optional<CoordinatorSnapshot> load() throws IOException {
        Optional<CoordinatorSnapshot> snapshot = Optional.empty();
        if (Files.exists(file)) {
            snapshot = Optional.of(StateFileCodec.decode(readBounded(file), file.toString()));
        }
        if (Files.exists(logFile)) {
            ChangeLogCodec.Contents changes = ChangeLogCodec.decode(readBounded(logFile), logFile.toString());
            if (changes.tornBytes() > 0) {
                LOG.warn("{}: dropping the last {} byte(s), an incomplete change record (a crash while it was "
                    + "written; it was never acknowledged)", logFile, changes.tornBytes());
            }
            if (!changes.records().isEmpty()) {
                StateMirror mirror = new StateMirror(snapshot.orElse(CoordinatorSnapshot.EMPTY));
                for (StateRecord r : changes.records()) {
                    mirror.apply(r);
                }
                snapshot = Optional.of(mirror.toSnapshot());
                LOG.info("replayed {} change record(s) of {} over {}; compacting them into a new snapshot",
                    changes.records().size(), logFile, file);
                save(snapshot.get());
            }
        }
        resetLog();
        return snapshot;
    }

    private static byte[] readBounded(Path path) throws IOException {
        long size = Files.size(path);
        if (size > MAX_FILE_BYTES) {
            throw new CorruptStateException("corrupt coordinator state file " + path + ": " + size + " bytes > "
                + MAX_FILE_BYTES);
        }
        return Files.readAllBytes(path);
    }

    /** Bytes in the change log, header included. */
    public long logBytes() {
        return logBytes;
    }

    /**
     * Appends encoded change records ({@link ChangeLogCodec#encode}) to the log and forces them: durable when this
     * returns.
     *
     * @throws IOException when the write or the force fails; the log may then end in a torn record, so the caller
     *                     compacts ({@link #compact}) before appending again
     */
    void append(byte[] frames) throws IOException {
        if (log == null) {
            throw new IllegalStateException("load() first");
        }
        ByteBuffer b = ByteBuffer.wrap(frames);
        long at = logBytes;
        while (b.hasRemaining()) {
            at += log.write(b, at);
        }
        log.force(false);
        logBytes = at;
    }

    /** Writes {@code everything} as the new snapshot, then empties the change log. */
    public void compact(CoordinatorSnapshot everything) throws IOException {
        save(everything);
        resetLog();
    }

    /** Leaves the change log with its header only, forced; opens it when needed. */
    private void resetLog() throws IOException {
        if (log == null) {
            log = FileChannel.open(logFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.READ);
        }
        log.truncate(0);
        byte[] header = ChangeLogCodec.header();
        log.write(ByteBuffer.wrap(header), 0);
        log.force(true);
        logBytes = header.length;
        forceDirectory();
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

    /** Closes the change log and releases the directory lock. */
    @Override
    public void close() throws IOException {
        try {
            if (log != null) {
                log.close();
            }
        } finally {
            try {
                lock.release();
            } finally {
                lockChannel.close();
            }
        }
    }
}
