package io.yak.client.producer;

import io.micrometer.core.instrument.Counter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.yak.wire.record.RecordBatchBuilder;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import java.util.function.Predicate;

/**
 * Collects records into per-partition batches until the sender takes them. A batch is ready when it is full
 * ({@code batch.size} bytes reached or a record did not fit), when {@code linger.ms} passed since its first
 * record, or while a flush or close is in progress. Retried batches go back to the front of their queue, so
 * a partition's batches are sent in order.
 *
 * <p>Threads: {@link #append} runs on user threads (each partition queue is locked while appending); drain,
 * re-enqueue and expiry run on the sender thread. Clock: an injected nanosecond clock.
 */
final class RecordAccumulator {
    /** Outcome of {@link #append}. */
    enum AppendResult {
        /** Added to an open batch. */
        APPENDED,
        /** Added to a batch created for it: the sender must learn its linger deadline. */
        NEW_BATCH,
        /** Added, and a batch is now full: the sender should send it. */
        BATCH_FULL,
        /** Not added: a new batch would be needed and the caller asked to be told first (sticky partitioning). */
        ABORTED_FOR_NEW_BATCH
    }

    /** Room kept in a packed request for its frame and PUBLISH header (topic name included). */
    static final int REQUEST_OVERHEAD_BYTES = 512;
    private final int batchSize;
    private final long lingerNs;
    private final long deliveryTimeoutNs;
    private final BufferPool pool;
    private final LongSupplier nanoClock;
    private final ConcurrentHashMap<String, TopicQueues> topics = new ConcurrentHashMap<>();
    private final Set<ProducerBatch> incomplete = ConcurrentHashMap.newKeySet();
    private final ArrayDeque<RecordBatchBuilder> builders = new ArrayDeque<>();
    private final AtomicInteger flushesInProgress = new AtomicInteger();
    private volatile boolean closing;
    /** Earliest time a not-yet-ready batch becomes ready or expires; written by drain (sender thread). */
    private long nextDeadlineNs;

    /** Idempotence: the producer id batches are numbered with; null without idempotence. */
    private final LongSupplier producerIds;

    RecordAccumulator(int batchSize, long lingerMs, long deliveryTimeoutMs, BufferPool pool, LongSupplier nanoClock) {
        this(batchSize, lingerMs, deliveryTimeoutMs, pool, nanoClock, null);
    }

    /**
     * @param producerIds with idempotence, the producer id to number batches with (known before any batch is sent,
     *                    see {@link Sender}); null without
     */
    RecordAccumulator(int batchSize, long lingerMs, long deliveryTimeoutMs, BufferPool pool, LongSupplier nanoClock,
                      LongSupplier producerIds) {
        this.producerIds = producerIds;
        this.batchSize = batchSize;
        this.lingerNs = TimeUnit.MILLISECONDS.toNanos(lingerMs);
        this.deliveryTimeoutNs = TimeUnit.MILLISECONDS.toNanos(deliveryTimeoutMs);
        this.pool = pool;
        this.nanoClock = nanoClock;
    }

    /**
     * Copies a record into the open batch of its partition, starting a new batch (reserving memory, possibly
     * blocking up to {@code maxBlockNs}) when there is none or it is full.
     */
    AppendResult append(String topic, int partition, long timestamp, byte[] key, byte[] value, Object sink,
                        long token, long maxBlockNs, boolean abortOnNewBatch) throws InterruptedException {
        PartitionQueue q = queue(topic, partition);
        synchronized (q) {
            AppendResult r = tryAppend(q, timestamp, key, value, sink, token);
            if (r != null) {
                return r;
            }
        }
        if (abortOnNewBatch) {
            return AppendResult.ABORTED_FOR_NEW_BATCH;
        }
        int bytes = Math.max(batchSize,
            RecordBatchBuilder.batchSizeBound(key == null ? -1 : key.length, value == null ? -1 : value.length));
        pool.reserve(bytes, maxBlockNs);
        ByteBuf buffer = null;
        try {
            buffer = PooledByteBufAllocator.DEFAULT.directBuffer(bytes, bytes);
            synchronized (q) {
                AppendResult r = tryAppend(q, timestamp, key, value, sink, token);
                if (r != null) {
                    buffer.release();
                    pool.release(bytes);
                    return r;
                }
                ProducerBatch batch = new ProducerBatch(q, buffer, bytes, takeBuilder(), nanoClock.getAsLong(),
                    timestamp);
                buffer = null;
                if (!batch.tryAppend(timestamp, key, value, sink, token)) {
                    throw new IllegalStateException("a record of bound " + bytes + " bytes did not fit its own batch");
                }
                q.batches.addLast(batch);
                incomplete.add(batch);
                return q.batches.size() > 1 || batch.isFull(batchSize) ? AppendResult.BATCH_FULL
                    : AppendResult.NEW_BATCH;
            }
        } catch (RuntimeException e) {
            if (buffer != null) {
                buffer.release();
                pool.release(bytes);
            }
            throw e;
        }
    }

    private AppendResult tryAppend(PartitionQueue q, long timestamp, byte[] key, byte[] value, Object sink,
                                   long token) {
        ProducerBatch last = q.batches.peekLast();
        if (last == null || !last.tryAppend(timestamp, key, value, sink, token)) {
            return null;
        }
        return last.isFull(batchSize) ? AppendResult.BATCH_FULL : AppendResult.APPENDED;
    }

    private RecordBatchBuilder takeBuilder() {
        synchronized (builders) {
            RecordBatchBuilder b = builders.pollFirst();
            return b != null ? b : new RecordBatchBuilder();
        }
    }

    private void returnBuilder(RecordBatchBuilder b) {
        if (b != null) {
            synchronized (builders) {
                builders.addFirst(b);
            }
        }
    }

    PartitionQueue queue(String topic, int partition) {
        TopicQueues t = topics.get(topic);
        if (t == null) {
            t = topics.computeIfAbsent(topic, TopicQueues::new);
        }
        return t.get(partition);
    }

    /**
     * Sender thread: moves the batches that can go now into {@code ready} (sealed, removed from their queue, in
     * creation order per partition) and every batch past {@code delivery.timeout.ms} into {@code expired}.
     * {@code sendable} is asked once per request (and claims: it marks the partition in flight); when it says yes,
     * the head batch starts a request and the partition's next ready batches join it
     * ({@link ProducerBatch#joinsRequest}) while the request's batches stay within {@code maxRequestBytes} (0: one
     * batch per request). A partition that is retrying sends one batch per request. Then {@link #nextDeadlineNs()}
     * is the earliest time something else becomes ready or expires.
     */
    void drain(long now, Predicate<PartitionQueue> sendable, int maxRequestBytes, List<ProducerBatch> ready,
               List<ProducerBatch> expired) {
        boolean flushing = closing || flushesInProgress.get() > 0;
        long next = Long.MAX_VALUE;
        for (TopicQueues t : topics.values()) {
            PartitionQueue[] qs = t.queues;
            for (PartitionQueue q : qs) {
                if (q == null) {
                    continue;
                }
                synchronized (q) {
                    next = Math.min(next, drainQueue(q, now, flushing, sendable, maxRequestBytes, ready, expired));
                }
            }
        }
        nextDeadlineNs = next;
    }

    private long drainQueue(PartitionQueue q, long now, boolean flushing, Predicate<PartitionQueue> sendable,
                            int maxRequestBytes, List<ProducerBatch> ready, List<ProducerBatch> expired) {
        if (q.batches.isEmpty()) {
            return Long.MAX_VALUE;
        }
        // Queued batches are never in flight, so expiring them cannot reorder the partition.
        Iterator<ProducerBatch> it = q.batches.iterator();
        while (it.hasNext()) {
            ProducerBatch b = it.next();
            if (now - b.createdNs < deliveryTimeoutNs) {
                break;
            }
            it.remove();
            returnBuilder(b.seal());
            expired.add(b);
        }
        // Several requests of one partition may go at once (pipelined on one connection, appended in order); the
        // sendable predicate decides how many. A request carries every ready batch that fits in it.
        int requestBytes = -1; // -1: no request open in this drain
        while (true) {
            ProducerBatch head = q.batches.peekFirst();
            if (head == null) {
                return Long.MAX_VALUE;
            }
            long expiry = head.createdNs + deliveryTimeoutNs;
            if (head.attempts > 0 && now - head.retryAtNs < 0) {
                return Math.min(expiry, head.retryAtNs);
            }
            boolean isReady = flushing || head.attempts > 0 || q.batches.size() > 1 || head.isFull(batchSize)
                || now - head.createdNs >= lingerNs;
            if (!isReady) {
                return Math.min(expiry, head.createdNs + lingerNs);
            }
            if (requestBytes >= 0 && !q.retrying && head.attempts == 0) {
                if (requestBytes + head.currentSize() <= maxRequestBytes - REQUEST_OVERHEAD_BYTES) {
                    q.batches.pollFirst();
                    sealForSend(q, head);
                    head.joinsRequest = true;
                    requestBytes += head.sizeInBytes();
                    ready.add(head);
                    continue;
                }
            }
            if (!sendable.test(q)) {
                // Waits for an answer, which wakes the sender.
                return expiry;
            }
            q.batches.pollFirst();
            sealForSend(q, head);
            head.joinsRequest = false;
            // a batch sent before goes alone: an idempotent request is all new batches or all retries
            requestBytes = head.attempts > 0 ? -1 : head.sizeInBytes();
            ready.add(head);
        }
    }

    /**
     * A batch leaves its queue for the wire: sealed, and with idempotence numbered on its first send, so batches
     * that expire unsent leave no gap in the partition's sequences. Caller holds the queue's lock.
     */
    private void sealForSend(PartitionQueue q, ProducerBatch b) {
        if (producerIds != null && b.firstSequence < 0) {
            b.stamp(producerIds.getAsLong(), q.producerEpoch, q.nextProducerSequence);
            q.nextProducerSequence += b.recordCount();
        }
        returnBuilder(b.seal());
    }

    /**
     * Sender thread, nothing of the partition in flight: the leader lost the partition's sequences (it refused the
     * lowest batch not acknowledged as out of order). Starts a new epoch for the partition and numbers the batches
     * already numbered again from 0, in order; the broker accepts a new epoch from sequence 0.
     */
    void resetSequences(PartitionQueue q) {
        synchronized (q) {
            q.producerEpoch++;
            q.nextProducerSequence = 0;
            for (ProducerBatch b : q.batches) {
                if (b.firstSequence >= 0) {
                    b.stamp(producerIds.getAsLong(), q.producerEpoch, q.nextProducerSequence);
                    q.nextProducerSequence += b.recordCount();
                }
            }
        }
    }

    /** Sender thread: whether a numbered batch before sequence {@code sequence} waits in the partition's queue. */
    boolean earlierSequenceQueued(PartitionQueue q, long sequence) {
        synchronized (q) {
            for (ProducerBatch b : q.batches) {
                if (b.firstSequence >= 0 && b.firstSequence < sequence) {
                    return true;
                }
            }
            return false;
        }
    }

    /** Earliest deadline found by the last {@link #drain}; Long.MAX_VALUE when nothing waits. */
    long nextDeadlineNs() {
        return nextDeadlineNs;
    }

    /** Sender thread: puts a batch to retry back in its queue, before every batch created after it. */
    void reenqueue(ProducerBatch b) {
        synchronized (b.queue) {
            ArrayDeque<ProducerBatch> batches = b.queue.batches;
            ArrayDeque<ProducerBatch> later = new ArrayDeque<>();
            while (!batches.isEmpty() && batches.peekFirst().sequence < b.sequence) {
                later.addLast(batches.pollFirst());
            }
            batches.addFirst(b);
            while (!later.isEmpty()) {
                batches.addFirst(later.pollLast());
            }
        }
    }

    /** Sender thread: whether a batch that was sent before (a retry) waits at the head of the partition's queue. */
    boolean retryQueued(PartitionQueue q) {
        synchronized (q) {
            ProducerBatch head = q.batches.peekFirst();
            return head != null && head.attempts > 0;
        }
    }

    /** Releases a finished batch's buffer and memory and wakes flushers. */
    void deallocate(ProducerBatch b) {
        incomplete.remove(b);
        b.buffer.release();
        pool.release(b.reservedBytes);
        b.done.complete(null);
    }

    void beginFlush() {
        flushesInProgress.incrementAndGet();
    }

    void endFlush() {
        flushesInProgress.decrementAndGet();
    }

    /** Batches created before this call, for flush() to wait on. */
    List<ProducerBatch> incompleteBatches() {
        return new ArrayList<>(incomplete);
    }

    boolean hasIncomplete() {
        return !incomplete.isEmpty();
    }

    /** From now on every batch is ready at once. */
    void close() {
        closing = true;
    }

    /** Removes every queued batch (for a forced shutdown); the caller fails and deallocates them. */
    List<ProducerBatch> removeAll() {
        List<ProducerBatch> out = new ArrayList<>();
        for (TopicQueues t : topics.values()) {
            for (PartitionQueue q : t.queues) {
                if (q == null) {
                    continue;
                }
                synchronized (q) {
                    for (ProducerBatch b : q.batches) {
                        returnBuilder(b.seal());
                        out.add(b);
                    }
                    q.batches.clear();
                }
            }
        }
        return out;
    }

    List<String> topicNames() {
        return new ArrayList<>(topics.keySet());
    }

    /** The batch queues of one topic, grown when the partition count grows. */
    private static final class TopicQueues {
        final String topic;
        volatile PartitionQueue[] queues = new PartitionQueue[0];

        TopicQueues(String topic) {
            this.topic = topic;
        }

        PartitionQueue get(int partition) {
            PartitionQueue[] qs = queues;
            if (partition < qs.length) {
                PartitionQueue q = qs[partition];
                if (q != null) {
                    return q;
                }
            }
            return create(partition);
        }

        private synchronized PartitionQueue create(int partition) {
            PartitionQueue[] qs = queues;
            if (partition >= qs.length) {
                qs = java.util.Arrays.copyOf(qs, partition + 1);
            } else if (qs[partition] != null) {
                return qs[partition];
            } else {
                qs = qs.clone();
            }
            PartitionQueue q = new PartitionQueue(topic, partition);
            qs[partition] = q;
            queues = qs;
            return q;
        }
    }

    /**
     * Batches of one partition, oldest first. {@code batches} and {@code nextSequence} are guarded by this object's
     * monitor; {@code inFlight}, {@code retrying}, {@code leader}, {@code unanswered} and {@code recordsSent} belong to
     * the sender thread.
     */
    static final class PartitionQueue {
        final String topic;
        final int partition;
        final ArrayDeque<ProducerBatch> batches = new ArrayDeque<>();
        /** Batches of this partition on the wire, all to one leader over one connection, so stored in order. */
        int inFlight;
        /** A batch failed retriably: send one at a time until a retry succeeds. */
        boolean retrying;
        /** Sequence of the next batch created. */
        long nextSequence;
        /** Idempotence: the partition's producer epoch, bumped by a reset of its sequences. */
        short producerEpoch;
        /** Idempotence: producer sequence of the next record sent for the first time (not wrapped). */
        long nextProducerSequence;
        /** Idempotence, sender thread: reset the sequences once nothing is in flight. */
        boolean sequenceResetNeeded;
        /** Leader chosen by the sender's last sendable check. */
        Object leader;
        /**
         * Sender thread: requests that got no answer (timed out, connection lost) with a batch not yet settled. The
         * leader may have stored them, so until their batches settle the partition retries oldest first, one request
         * at a time: the leader remembers 5 requests per producer, and a retry must find its batch among them.
         */
        final List<ProducerBatch[]> unanswered = new ArrayList<>(0);
        /** The topic's {@code yak.producer.records.sent}, resolved at the first completion; null until then. */
        Counter recordsSent;

        PartitionQueue(String topic, int partition) {
            this.topic = topic;
            this.partition = partition;
        }
    }
}
