package io.yak.bench;

/** A bad option value found after parsing (e.g. a client key the producer rejects): exit code 2 and the usage. */
final class UsageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    UsageException(String message, Throwable cause) {
        super(message, cause);
    }
}
