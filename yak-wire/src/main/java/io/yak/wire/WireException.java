package io.yak.wire;

/**
 * A frame or body that breaks the wire rules. Carries the error code to answer with and, when the header could
 * be read, the correlation id to answer to ({@link #NO_CORRELATION_ID} otherwise). Always an operating error: the
 * peer sent it, so the receiver answers, logs and closes the connection, never crashes.
 */
public final class WireException extends RuntimeException {
    public static final int NO_CORRELATION_ID = -1;
    private static final long serialVersionUID = 1L;

    private final ErrorCode errorCode;
    private final int correlationId;
    /** False for a broken ERROR_RESPONSE: it is never answered, not even when malformed (WIRE.md, rule 6). */
    private final boolean answerable;

    public WireException(ErrorCode errorCode, int correlationId, String message) {
        this(errorCode, correlationId, message, true);
    }

    private WireException(ErrorCode errorCode, int correlationId, String message, boolean answerable) {
        super(message, null, false, false);
        this.errorCode = errorCode;
        this.correlationId = correlationId;
        this.answerable = answerable;
    }

    public WireException(ErrorCode errorCode, String message) {
        this(errorCode, NO_CORRELATION_ID, message);
    }

    public ErrorCode errorCode() {
        return errorCode;
    }

    public int correlationId() {
        return correlationId;
    }

    public WireException withCorrelationId(int id) {
        return new WireException(errorCode, id, getMessage(), answerable);
    }

    /** The same error found in an {@code ERROR_RESPONSE}: the connection is closed without an answer. */
    public WireException unanswerable() {
        return new WireException(errorCode, correlationId, getMessage(), false);
    }

    /** Whether the receiver answers it with an {@code ERROR_RESPONSE} before closing. */
    public boolean answerable() {
        return answerable;
    }
}
