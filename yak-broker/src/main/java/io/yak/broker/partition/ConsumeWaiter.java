package io.yak.broker.partition;

/** A consume parked at the high watermark, completed by its move or by its timer. */
final class ConsumeWaiter extends Waiter {
    private static final long serialVersionUID = 1L;

    final long offset;
    final int maxBytes;
    final ConsumeCallback callback;

    ConsumeWaiter(long offset, int maxBytes, ConsumeCallback callback) {
        this.offset = offset;
        this.maxBytes = maxBytes;
        this.callback = callback;
    }
}
