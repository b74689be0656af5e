package io.yak.coordinator.cluster;

import io.yak.wire.message.PartitionInfo;
import java.util.concurrent.atomic.AtomicLong;

/**
 * How often partitions changed leader and ISR since the coordinator started, for its meters ({@code METRICS.md}).
 * Counted by the state thread where every change is applied ({@link PartitionStates#apply}); read from any thread.
 */
public final class LeadershipCounts {
    private final AtomicLong leaderChanges = new AtomicLong();
    private final AtomicLong uncleanElections = new AtomicLong();
    private final AtomicLong isrShrinks = new AtomicLong();
    private final AtomicLong isrExpands = new AtomicLong();

    /** Partitions {@code from..} of a new or grown topic got their first leader. */
    void created(TopicEntry t, int from) {
        for (int p = from; p < t.partitionCount(); p++) {
            if (t.partition(p).leader() != PartitionInfo.NO_LEADER) {
                leaderChanges.incrementAndGet();
            }
        }
    }

    void count(PartitionState old, PartitionState next, boolean unclean) {
        if (old.leader() != next.leader() || old.leaderEpoch() != next.leaderEpoch()) {
            leaderChanges.incrementAndGet();
        }
        if (unclean) {
            uncleanElections.incrementAndGet();
        }
        if (next.isr().size() < old.isr().size()) {
            isrShrinks.incrementAndGet();
        } else if (next.isr().size() > old.isr().size()) {
            isrExpands.incrementAndGet();
        }
    }

    /**
     * Leader elections: a new partition's first leader, a new leader or leader epoch (a partition going offline
     * counts too).
     */
    public long leaderChanges() {
        return leaderChanges.get();
    }

    public long uncleanElections() {
        return uncleanElections.get();
    }

    public long isrShrinks() {
        return isrShrinks.get();
    }

    public long isrExpands() {
        return isrExpands.get();
    }
}
