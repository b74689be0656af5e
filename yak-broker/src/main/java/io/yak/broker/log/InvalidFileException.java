package io.yak.broker.log;

/**
 * A small metadata file ({@link MetadataFile}: {@code recovery-point}, {@code leader-epoch-checkpoint},
 * {@code high-watermark}) that exists but cannot be used: wrong size, magic, version, CRC32C or values. The message
 * names the file and the value; the caller logs a WARN and falls back (checks every sealed segment, rebuilds the
 * leader-epoch cache from the log, starts the high watermark at the log start offset).
 */
final class InvalidFileException extends Exception {
    private static final long serialVersionUID = 1L;

    InvalidFileException(String message) {
        super(message, null, false, false);
    }
}
