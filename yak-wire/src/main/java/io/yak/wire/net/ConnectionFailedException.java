package io.yak.wire.net;

import io.yak.wire.ErrorCode;

/**
 * A connection could not be opened, or closed while the request was in flight. Always retriable. The wire
 * protocol has no error code for a vanished peer, so {@link #errorCode()} is {@link ErrorCode#UNKNOWN_SERVER_ERROR};
 * test for this type instead.
 */
public final class ConnectionFailedException extends RequestFailedException {
    private static final long serialVersionUID = 1L;

    private final String address;
    private final String reason;

    public ConnectionFailedException(String address, String reason, String message, Throwable cause) {
        super(ErrorCode.UNKNOWN_SERVER_ERROR, message, cause, true);
        this.address = address;
        this.reason = reason;
    }

    /** The peer, as {@code host:port} (unescaped). */
    public String address() {
        return address;
    }

    /** Short cause for people: "connection refused", "connect timed out", "connection lost". */
    public String reason() {
        return reason;
    }
}
