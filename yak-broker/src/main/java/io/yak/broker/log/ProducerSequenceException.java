package io.yak.broker.log;

import io.yak.wire.ErrorCode;

/**
 * An idempotent append refused by the producer checks ({@code WIRE.md}, "Idempotent publishes"): nothing was
 * appended. An expected answer to a producer, not a fault of the log, so it carries no stack trace.
 */
public final class ProducerSequenceException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient ErrorCode error;

    ProducerSequenceException(ErrorCode error, String message) {
        super(message, null, false, false);
        this.error = error;
    }

    /** {@code OUT_OF_ORDER_SEQUENCE}, {@code INVALID_PRODUCER_EPOCH} or {@code INVALID_REQUEST}. */
    public ErrorCode error() {
        return error;
    }
}
