package io.yak.broker.log;

/**
 * A read asked for an offset outside {@code [logStartOffset, logEndOffset]}; the broker answers
 * {@code OFFSET_OUT_OF_RANGE}. Carries the log's bounds as they were when the read looked. Built without a stack
 * trace: it is an expected answer to a client, not a programming error, and clients may trigger it often.
 */
public final class OffsetOutOfRangeException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final long requestedOffset;
    private final long logStartOffset;
    private final long logEndOffset;

    public OffsetOutOfRangeException(String partition, long requestedOffset, long logStartOffset, long logEndOffset) {
        super("offset " + requestedOffset + " outside [" + logStartOffset + ", " + logEndOffset + "] of partition "
            + partition, null, false, false);
        this.requestedOffset = requestedOffset;
        this.logStartOffset = logStartOffset;
        this.logEndOffset = logEndOffset;
    }

    public long requestedOffset() {
        return requestedOffset;
    }

    public long logStartOffset() {
        return logStartOffset;
    }

    public long logEndOffset() {
        return logEndOffset;
    }
}
