package io.yak.broker.partition;

/**
 * A consume parked at the high watermark, completed by its move, by its timer, or by the end of the leadership it
 * was parked in (then {@code NOT_LEADER}, as Kafka completes a delayed fetch whose leader moved).
 */
final class ConsumeWaiter extends Waiter {
    private static final long serialVersionUID = 1L;

    final long offset;
    final int maxBytes;
    final ConsumeCallback callback;
    /** The leader epoch it was parked in: it is answered from that leadership only. */
    final int leaderEpoch;

    ConsumeWaiter(long offset, int maxBytes, ConsumeCallback callback, int leaderEpoch) {
        this.offset = offset;
        this.maxBytes = maxBytes;
        this.callback = callback;
        this.leaderEpoch = leaderEpoch;
    }
}
