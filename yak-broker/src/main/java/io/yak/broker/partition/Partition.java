package io.yak.broker.partition;

import io.yak.broker.log.PartitionLog;
import io.yak.broker.replica.DelayedPublishes;
import io.yak.broker.replica.LeaderReplicas;
import io.yak.wire.message.PartitionInfo;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One partition as this broker serves it. The log is changed only under {@link #lock}: by tasks on {@link #writer}
 * ({@link #onWriter}), or by an event loop appending in place while the writer has nothing of this partition to do
 * ({@code PartitionManager#publish}). The leadership fields are written by the metadata thread and read everywhere,
 * hence volatile.
 */
final class Partition {
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
    volatile boolean leader;
    volatile int leaderEpoch;
    /** The coordinator's latest state of this partition (replicas, ISR, leader, epochs); null until one arrived. */
    volatile PartitionInfo info;
    /** {@code min.insync.replicas} for this partition (topic config, else the broker's), at most its replica count. */
    volatile int minIsr = 1;
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
