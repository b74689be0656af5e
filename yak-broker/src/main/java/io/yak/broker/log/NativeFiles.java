package io.yak.broker.log;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import java.io.IOException;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code fallocate(2)} through JNA (Linux): gives a file real blocks for a range in one system call, without writing
 * the range and without touching the page cache. Java has no API for it. Writing zeros is the portable fallback
 * ({@link MappedFiles#writeZeros}); it costs a pass through fresh page-cache pages for every byte appended, which
 * the mapped write then touches again (W2's figures are in {@code STORAGE.md}, "Allocated ahead of every mapped
 * write").
 */
final class NativeFiles {
    private static final Logger LOG = LoggerFactory.getLogger(NativeFiles.class);
    private static final int O_RDWR = 2;
    private static final int O_CLOEXEC = 0x80000;
    private static final int EINTR = 4;
    private static final int ENOSPC = 28;
    /** The file system cannot preallocate (e.g. some network file systems): zeros are written instead. */
    private static final int EOPNOTSUPP = 95;
    private static final boolean LOADED = load();
    private static volatile boolean unsupportedLogged;

    private NativeFiles() {
    }

    private static boolean load() {
        if (!Platform.isLinux()) {
            LOG.info("fallocate(2) not available on {}: segments are allocated ahead by writing zeros",
                System.getProperty("os.name"));
            return false;
        }
        try {
            Native.register(NativeFiles.class, Platform.C_LIBRARY_NAME);
            LOG.info("segments are allocated ahead of appends with fallocate(2)");
            return true;
        } catch (LinkageError | RuntimeException e) {
            LOG.warn("fallocate(2) not available through JNA ({}): segments are allocated ahead by writing zeros, "
                + "which is slower", e.toString());
            return false;
        }
    }

    /** Whether {@link #allocate} can work here (a file system may still refuse it). */
    static boolean available() {
        return LOADED;
    }

    private static native int open(String path, int flags) throws LastErrorException;

    private static native int fallocate(int fd, int mode, long offset, long length) throws LastErrorException;

    private static native int close(int fd) throws LastErrorException;

    /**
     * Allocates blocks for {@code [from, to)} of {@code file} (its size unchanged when already past {@code to}).
     *
     * @return false when this platform or file system cannot do it (nothing done: write zeros instead)
     * @throws IOException when the disk is full (ENOSPC) or the call fails otherwise
     */
    static boolean allocate(Path file, long from, long to) throws IOException {
        if (!LOADED) {
            return false;
        }
        int fd;
        try {
            fd = open(file.toString(), O_RDWR | O_CLOEXEC);
        } catch (LastErrorException e) {
            throw new IOException("open " + file + " to allocate it: errno " + e.getErrorCode());
        }
        try {
            while (true) {
                try {
                    fallocate(fd, 0, from, to - from);
                    return true;
                } catch (LastErrorException e) {
                    switch (e.getErrorCode()) {
                        case EINTR -> {
                            continue;
                        }
                        case EOPNOTSUPP -> {
                            if (!unsupportedLogged) {
                                unsupportedLogged = true;
                                LOG.warn("the file system of {} cannot fallocate(2): segments there are allocated "
                                    + "ahead by writing zeros, which is slower", file);
                            }
                            return false;
                        }
                        case ENOSPC -> throw new IOException("No space left on device: allocating " + (to - from)
                            + " bytes at " + from + " of " + file);
                        default -> throw new IOException("fallocate " + file + " [" + from + ", " + to + "): errno "
                            + e.getErrorCode());
                    }
                }
            }
        } finally {
            try {
                close(fd);
            } catch (LastErrorException e) {
                LOG.debug("close after fallocate of {}: errno {}", file, e.getErrorCode());
            }
        }
    }
}
