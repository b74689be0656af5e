package io.yak.broker.partition;

import io.netty.util.Timeout;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A replica fetch parked because none of its partitions had anything new: completed once by the first append to
 * any of them or by its timer (the flag decides), and then served again from scratch.
 */
final class FetchWaiter extends AtomicBoolean {
    private static final long serialVersionUID = 1L;

    final Runnable retry;
    volatile Timeout timer;

    FetchWaiter(Runnable retry) {
        this.retry = retry;
    }

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
