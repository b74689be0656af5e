package io.yak.broker.partition;

import io.netty.util.Timeout;
import java.util.concurrent.atomic.AtomicBoolean;

/** A consume parked at the log end. Completes exactly once: by an append or by its timer (the flag decides). */
final class ConsumeWaiter extends AtomicBoolean {
    private static final long serialVersionUID = 1L;

    final long offset;
    final int maxBytes;
    final ConsumeCallback callback;
    volatile Timeout timer;

    ConsumeWaiter(long offset, int maxBytes, ConsumeCallback callback) {
        this.offset = offset;
        this.maxBytes = maxBytes;
        this.callback = callback;
    }

    /** Claims the right to complete; true for exactly one caller. */
    boolean claim() {
        if (!compareAndSet(false, true)) {
            return false;
        }
        Timeout t = timer;
        if (t != null) {
            t.cancel();
        }
        return true;
    }
}
