package io.yak.wire.net;

import io.yak.wire.ErrorCode;

/**
 * How a {@link NetworkClient} built with {@link RequestFailures#WIRE} fails a request: the server answered with an
 * {@code ERROR_RESPONSE} (its {@link ErrorCode}), the request timed out ({@link ErrorCode#REQUEST_TIMED_OUT}),
 * the client was closed, or the connection failed ({@link ConnectionFailedException}). {@link #retriable()} says
 * whether the same request may succeed later. Errors a server reports inside its own response type (an
 * {@code error_code} field) are not exceptions: the response future completes normally with them.
 */
public class RequestFailedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final ErrorCode errorCode;
    private final boolean retriable;

    public RequestFailedException(ErrorCode errorCode, String message, Throwable cause) {
        this(errorCode, message, cause, errorCode.retriable());
    }

    protected RequestFailedException(ErrorCode errorCode, String message, Throwable cause, boolean retriable) {
        super(message, cause);
        this.errorCode = errorCode;
        this.retriable = retriable;
    }

    /** The server's error code; {@link ErrorCode#REQUEST_TIMED_OUT} for a client-side timeout. */
    public ErrorCode errorCode() {
        return errorCode;
    }

    /** True when retrying the same request later may succeed. */
    public boolean retriable() {
        return retriable;
    }
}
