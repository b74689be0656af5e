package io.yak.broker.partition;

import io.yak.broker.log.PartitionLog;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;

/**
 * One partition as this broker serves it. The log is changed only on {@link #writer} (one writer per partition);
 * the leadership fields are written by the metadata thread and read everywhere, hence volatile.
 */
final class Partition {
    final String topic;
    final int partition;
    final String name;
    /** The single thread that opens, appends to and closes this partition's log. */
    final ExecutorService writer;
    /** Consumes parked at the log end, completed by the next append or their timer. */
    final ConcurrentLinkedQueue<ConsumeWaiter> waiters = new ConcurrentLinkedQueue<>();

    /** Null until opened on the writer thread; set once. */
    volatile PartitionLog log;
    /** Why the log could not be opened (corruption, disk): the partition stays offline. */
    volatile String failure;
    volatile boolean opening;
    volatile boolean leader;
    volatile int leaderEpoch;

    Partition(String topic, int partition, ExecutorService writer) {
        this.topic = topic;
        this.partition = partition;
        this.name = topic + "-" + partition;
        this.writer = writer;
    }
}
