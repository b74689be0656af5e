package io.yak.client;

import io.yak.wire.ErrorCode;

/**
 * A connection to a server could not be opened or was lost while requests were in flight. Always retriable. The
 * wire protocol has no error code for a vanished peer, so {@link #errorCode()} is
 * {@link ErrorCode#UNKNOWN_SERVER_ERROR}; test for this type (or {@link #retriable()}) instead.
 */
public final class YakConnectionException extends YakException {
    private static final long serialVersionUID = 1L;

    private final String address;
    private final String reason;

    public YakConnectionException(String address, String reason, String message, Throwable cause) {
        super(ErrorCode.UNKNOWN_SERVER_ERROR, message, cause, true);
        this.address = address;
        this.reason = reason;
    }

    /** The peer, as {@code host:port}. */
    public String address() {
        return address;
    }

    /** Short cause for people: "connection refused", "connect timed out", "connection lost". */
    public String reason() {
        return reason;
    }
}
