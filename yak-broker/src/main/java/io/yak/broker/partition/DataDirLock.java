package io.yak.broker.partition;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * An OS file lock on {@code <data.dir>/.lock}, held by the one broker process that uses that data.dir: a second one
 * refuses to start instead of writing the same partition logs. The OS releases it when the process dies;
 * {@link #close()} releases it before. (The coordinator's {@code StateStore} locks its directory the same way; its
 * store package depends on nothing outside it, so it keeps its own few lines.)
 */
final class DataDirLock implements AutoCloseable {
    static final String FILE_NAME = ".lock";

    private final FileChannel channel;

    private DataDirLock(FileChannel channel) {
        this.channel = channel;
    }

    /**
     * Takes the lock of {@code dir} (which must exist) for a server of kind {@code owner} ("broker").
     *
     * @throws IOException when it cannot be created, or another process (or this one) holds it; the message is worded
     *                     to follow "cannot use data.dir D: "
     */
    static DataDirLock acquire(Path dir, String owner) throws IOException {
        Path file = dir.resolve(FILE_NAME);
        FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
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
            throw new IOException("in use by another " + owner + " (" + file.toAbsolutePath() + " is locked)");
        }
        return new DataDirLock(ch);
    }

    /** Releases the lock (closing the channel does). */
    @Override
    public void close() throws IOException {
        channel.close();
    }
}
