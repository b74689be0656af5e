package io.yak.broker.partition;

import java.util.List;

/**
 * A replica fetch parked because none of its partitions had anything new: completed by the first append to any of
 * them or by its timer, and then served again from scratch.
 */
final class FetchWaiter extends Waiter {
    private static final long serialVersionUID = 1L;

    private final List<Partition> partitions;
    private final Runnable serve;

    FetchWaiter(List<Partition> partitions, Runnable serve) {
        this.partitions = partitions;
        this.serve = serve;
    }

    void park() {
        for (Partition p : partitions) {
            p.fetchWaiters.add(this);
        }
    }

    /** After a successful {@link #claim()}: leaves the other partitions' queues and serves the fetch again. */
    void fire() {
        for (Partition p : partitions) {
            p.fetchWaiters.remove(this);
        }
        serve.run();
    }
}
