package io.yak.broker.partition;

import io.netty.util.Timeout;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A request parked until something happens to a partition or its timer fires: whichever comes first claims it
 * (the flag decides), so it completes exactly once.
 */
abstract class Waiter extends AtomicBoolean {
    private static final long serialVersionUID = 1L;

    volatile Timeout timer;

    /** Claims the right to complete; true for exactly one caller. */
    final boolean claim() {
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
