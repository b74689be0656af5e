package io.yak.coordinator.store;

import java.io.IOException;

/**
 * The coordinator's state file exists but cannot be trusted: wrong magic, unknown format version, checksum
 * mismatch, truncation or a broken invariant. The coordinator refuses to start rather than guess; the message names
 * the file and what is wrong with it.
 */
public final class CorruptStateException extends IOException {
    private static final long serialVersionUID = 1L;

    public CorruptStateException(String message) {
        super(message);
    }
}
