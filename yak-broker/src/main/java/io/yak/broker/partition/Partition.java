package io.yak.broker.partition;

import io.micrometer.core.instrument.Meter;
import io.yak.broker.log.PartitionLog;
import io.yak.broker.replica.DelayedPublishes;
import io.yak.broker.replica.LeaderReplicas;
import io.yak.wire.message.PartitionInfo;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One partition as this broker serves it. The log is changed only under {@link #lock}: by tasks on {@link #writer}
 * ({@link #onWriter}), or by an event loop appending in place while the writer has nothing of this partition to do
 * ({@code PartitionManager#publish}). The leadership state is one immutable {@link Role}, written by the link
 * thread (cluster views, ISR answers) and at close, read everywhere.
 */
final class Partition {
    /**
     * This broker's role for a partition as of one moment: whether it leads, in which leader epoch, the
     * coordinator's state it last applied and the partition's {@code min.insync.replicas}. Replaced whole, so a
     * reader that takes it once never sees a new role with an old epoch, or an ISR of one view with the role of
     * another.
     *
     * @param info   the coordinator's latest state of the partition (replicas, ISR, leader, epochs), null before any
     * @param minIsr {@code min.insync.replicas} (the topic's, as the coordinator sends it), at most the replica count
     */
    record Role(boolean leader, int leaderEpoch, PartitionInfo info, int minIsr) {
        static final Role NONE = new Role(false, 0, null, 1);

        /** The same role with the coordinator's newer state of the same leader epoch (an ISR answer). */
        Role withInfo(PartitionInfo newer) {
            return new Role(leader, leaderEpoch, newer, minIsr);
        }

        /** No longer leading (closing); the epoch and state stay. */
        Role resigned() {
            return new Role(false, leaderEpoch, info, minIsr);
        }
    }

    final String topic;
    final int partition;
    final String name;
    /** The single thread that opens, appends to and closes this partition's log. */
    final ExecutorService writer;
    /** Held while this partition's log changes; an event loop only ever tries it. */
    final ReentrantLock lock = new ReentrantLock();
    /**
     * Publishes handed to {@link #writer} and not yet appended. While there are any, an event loop does not append
     * in place: a later publish of the same connection would overtake them.
     */
    final AtomicInteger appendsQueued = new AtomicInteger();
    /** Consumes parked at the log end, completed by the next append or their timer. */
    final ConcurrentLinkedQueue<ConsumeWaiter> waiters = new ConcurrentLinkedQueue<>();

    /** Null until opened on the writer thread; set once. */
    volatile PartitionLog log;
    /** Why the log could not be opened (corruption, disk): the partition stays offline. */
    volatile String failure;
    volatile boolean opening;
    /** The id of the topic this partition belongs to, from the first cluster view that listed it (0: unknown). */
    volatile long topicId;
    /** This broker's role for the partition, replaced whole (see {@link Role}). */
    volatile Role role = Role.NONE;
    /**
     * While this broker leads the partition: its followers' progress for the current leader epoch; null otherwise
     * (and until the log is open). Guarded by {@link #replication}, as is {@link #delayed}.
     */
    volatile LeaderReplicas replicas;
    /** acks=all publishes waiting for the high watermark. Guarded by {@link #replication}. */
    final DelayedPublishes<DelayedPublish> delayed = new DelayedPublishes<>();
    /** Guards {@link #replicas} and {@link #delayed}; held briefly, never while calling out. */
    final Object replication = new Object();
    /** Replica fetches parked until this partition's log grows, completed by the next append or their timer. */
    final ConcurrentLinkedQueue<FetchWaiter> fetchWaiters = new ConcurrentLinkedQueue<>();
    /** Records and bytes this broker appended as leader; written under {@link #lock}, read by meters. */
    volatile long recordsIn;
    volatile long bytesIn;
    /** Records and bytes sent to consumers, from any thread. */
    final AtomicLong recordsOut = new AtomicLong();
    final AtomicLong bytesOut = new AtomicLong();
    /** This partition's meters while registered ({@link PartitionMeters}); null otherwise. */
    volatile List<Meter> meters;

    Partition(String topic, int partition, ExecutorService writer) {
        this.topic = topic;
        this.partition = partition;
        this.name = topic + "-" + partition;
        this.writer = writer;
    }

    /** Runs {@code task} on the writer thread, holding {@link #lock}. */
    void onWriter(Runnable task) {
        writer.execute(() -> {
            lock.lock();
            try {
                task.run();
            } finally {
                lock.unlock();
            }
        });
    }
}
