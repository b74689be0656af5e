package io.yak.client.admin;

/**
 * Where {@code groups reset-offsets} moves a group's offsets, as Kafka's tool: to the log start, to the log end, to
 * the first offset at or after a time, to a given offset, or by a shift from the committed offset (from the log
 * start when nothing is committed). Every result is clamped to [log start, log end]. Immutable.
 */
public record ResetSpec(Kind kind, long value) {
    /** The kinds of reset. */
    public enum Kind { EARLIEST, LATEST, DATETIME, OFFSET, SHIFT_BY }

    public static ResetSpec earliest() {
        return new ResetSpec(Kind.EARLIEST, 0);
    }

    public static ResetSpec latest() {
        return new ResetSpec(Kind.LATEST, 0);
    }

    /** @param timestampMs milliseconds since the epoch */
    public static ResetSpec toDatetime(long timestampMs) {
        return new ResetSpec(Kind.DATETIME, timestampMs);
    }

    public static ResetSpec toOffset(long offset) {
        return new ResetSpec(Kind.OFFSET, offset);
    }

    public static ResetSpec shiftBy(long delta) {
        return new ResetSpec(Kind.SHIFT_BY, delta);
    }
}
