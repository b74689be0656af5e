package io.yak.client;

import io.yak.wire.ErrorCode;

/**
 * An operating error reported to a client user: the server answered with an {@link ErrorCode}, a request timed
 * out ({@link ErrorCode#REQUEST_TIMED_OUT}), or the connection failed ({@link YakConnectionException}).
 * {@link #retriable()} says whether the same request may succeed later (after a metadata refresh or a wait); the
 * producer and consumer retry those themselves (the consumer's {@code commitSync} until {@code request.timeout.ms}),
 * so users mostly see non-retriable errors or exhausted retries. A consumer's
 * {@link io.yak.client.consumer.WakeupException} is deliberately not a {@code YakException}: it reports another
 * thread's {@code wakeup()}, not an operating error, so a handler for these does not swallow it.
 */
public class YakException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final ErrorCode errorCode;
    private final boolean retriable;

    public YakException(ErrorCode errorCode, String message) {
        this(errorCode, message, null, errorCode.retriable());
    }

    public YakException(ErrorCode errorCode, String message, Throwable cause) {
        this(errorCode, message, cause, errorCode.retriable());
    }

    protected YakException(ErrorCode errorCode, String message, Throwable cause, boolean retriable) {
        super(message, cause);
        this.errorCode = errorCode;
        this.retriable = retriable;
    }

    /** The server's error code, {@link ErrorCode#REQUEST_TIMED_OUT} for client-side timeouts. */
    public ErrorCode errorCode() {
        return errorCode;
    }

    /** True when retrying the same request later may succeed. */
    public boolean retriable() {
        return retriable;
    }
}
