package io.yak.broker.partition;

import io.netty.buffer.ByteBuf;
import io.yak.broker.log.LogFailedException;
import io.yak.broker.log.PartitionLog;
import io.yak.broker.log.ProducerSequenceException;
import io.yak.wire.ErrorCode;
import java.io.IOException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Appends client publishes to the partitions this broker leads: in place on the calling event loop when that is a
 * copy into memory, else on the partition's writer thread; then answers them, at once or, with acks=all, once the
 * high watermark passes them ({@link LeaderReplication#delay}). See {@link PartitionManager#publish}.
 */
final class PublishRequests {
    /** Logs as the manager whose lines these always were (log filters and tests name it). */
    private static final Logger LOG = LoggerFactory.getLogger(PartitionManager.class);
    /** {@link #append}'s outcome: refused because this broker no longer leads the partition. */
    private static final long APPEND_NOT_LEADER = -2;
    /** {@link #append}'s outcome: the log failed or refused the append. */
    private static final long APPEND_STORAGE_ERROR = -3;
    /** {@link #append}'s outcomes: the producer checks refused the batches ({@link ProducerSequenceException}). */
    private static final long APPEND_OUT_OF_ORDER_SEQUENCE = -4;
    private static final long APPEND_INVALID_PRODUCER_EPOCH = -5;
    private static final long APPEND_INVALID_REQUEST = -6;

    private final int brokerId;
    private final PartitionTable table;
    private final RequestCheck check;
    private final LeaderReplication replication;
    private final OfflinePartitions offline;
    /** Publishes appended on the calling event loop, and by writer threads: logged at close, read by tests. */
    final LongAdder inPlaceAppends = new LongAdder();
    final LongAdder writerAppends = new LongAdder();

    PublishRequests(int brokerId, PartitionTable table, RequestCheck check, LeaderReplication replication,
                    OfflinePartitions offline) {
        this.brokerId = brokerId;
        this.table = table;
        this.check = check;
        this.replication = replication;
        this.offline = offline;
    }

    /** See {@link PartitionManager#publish(String, int, short, int, ByteBuf, boolean, PublishCallback)}. */
    boolean publish(String topic, int partition, short acks, int timeoutMs, ByteBuf batches,
                    boolean mayAppendInPlace, PublishCallback callback) {
        Partition p = table.lookup(topic, partition);
        ErrorCode error = check.check(topic, partition, p);
        if (error == ErrorCode.NONE && acks == -1) {
            Partition.Role role = p.role;
            if (role.info() != null && role.info().isr().size() < role.minIsr()) {
                error = ErrorCode.NOT_ENOUGH_REPLICAS;
            }
        }
        if (error != ErrorCode.NONE) {
            batches.release();
            callback.onPublished(error, table.epoch, -1, -1);
            return true;
        }
        if (mayAppendInPlace && batches.readableBytes() < PartitionLog.IN_PLACE_MAX_BYTES
            && p.appendsQueued.get() == 0 && !p.lock.hasQueuedThreads() && p.lock.tryLock()) {
            long outcome;
            long end;
            try {
                outcome = append(p, batches, true);
                end = p.log.logEndOffset();
            } finally {
                p.lock.unlock();
            }
            if (outcome != PartitionLog.NEEDS_WRITER) {
                inPlaceAppends.increment();
                return answer(p, outcome, end, acks, timeoutMs, callback, true);
            }
        }
        p.appendsQueued.incrementAndGet();
        try {
            p.writer.execute(() -> {
                long outcome;
                long end = -1;
                p.lock.lock();
                try {
                    outcome = append(p, batches, false);
                    writerAppends.increment();
                    PartitionLog log = p.log;
                    end = log == null ? -1 : log.logEndOffset();
                } finally {
                    p.appendsQueued.decrementAndGet();
                    p.lock.unlock();
                }
                answer(p, outcome, end, acks, timeoutMs, callback, false);
            });
        } catch (RejectedExecutionException e) {
            // the broker is closing its logs
            p.appendsQueued.decrementAndGet();
            batches.release();
            callback.onPublished(ErrorCode.PARTITION_OFFLINE, table.epoch, -1, -1);
            return true;
        }
        return false;
    }

    /**
     * Holding {@code p.lock}: on the writer thread, or with {@code inPlaceOnly} on the publisher's event loop.
     * Releases {@code batches} unless the append is declined.
     *
     * @return the base offset given to the batches; {@link PartitionLog#NEEDS_WRITER} (only with {@code inPlaceOnly}:
     *         nothing done, {@code batches} kept, see {@link PartitionLog#appendInPlace}); {@link #APPEND_NOT_LEADER}
     *         or {@link #APPEND_STORAGE_ERROR}
     */
    private long append(Partition p, ByteBuf batches, boolean inPlaceOnly) {
        PartitionLog log = p.log;
        long outcome;
        boolean declined = false;
        try {
            Partition.Role role = p.role; // one read: the batches are stamped with the epoch of the leadership checked
            long endBefore = log.logEndOffset();
            int bytes = batches.readableBytes();
            if (!role.leader()) {
                outcome = APPEND_NOT_LEADER;
            } else if (inPlaceOnly) {
                outcome = log.appendInPlace(batches, role.leaderEpoch());
                declined = outcome == PartitionLog.NEEDS_WRITER;
            } else {
                outcome = log.append(batches, role.leaderEpoch());
            }
            long appended = log.logEndOffset() - endBefore; // 0 for a retry of stored batches
            if (appended > 0) {
                p.recordsIn += appended;
                p.bytesIn += bytes;
            }
        } catch (ProducerSequenceException e) {
            // an answer to this producer, not a fault: retries after a failover meet it routinely
            LOG.debug("broker {}: {}", brokerId, e.getMessage());
            outcome = switch (e.error()) {
                case OUT_OF_ORDER_SEQUENCE -> APPEND_OUT_OF_ORDER_SEQUENCE;
                case INVALID_PRODUCER_EPOCH -> APPEND_INVALID_PRODUCER_EPOCH;
                default -> APPEND_INVALID_REQUEST;
            };
        } catch (LogFailedException e) {
            // the failure was logged once, with its cause, when it happened: a retrying producer must not flood
            // the log (and, with a full disk, the disk) with one stack trace per refused append
            LOG.debug("broker {}: append to {} refused: {}", brokerId, p.name, e.getMessage());
            outcome = APPEND_STORAGE_ERROR;
            offline.offlineIfFailed(p, log, e);
        } catch (IOException | RuntimeException e) {
            LOG.error("broker {}: append to {} failed: {}", brokerId, p.name, e.toString(), e);
            outcome = APPEND_STORAGE_ERROR;
            offline.offlineIfFailed(p, log, e);
        } finally {
            if (!declined) {
                batches.release();
            }
        }
        return outcome;
    }

    private static ErrorCode errorOf(long outcome) {
        if (outcome == APPEND_NOT_LEADER) {
            return ErrorCode.NOT_LEADER;
        } else if (outcome == APPEND_OUT_OF_ORDER_SEQUENCE) {
            return ErrorCode.OUT_OF_ORDER_SEQUENCE;
        } else if (outcome == APPEND_INVALID_PRODUCER_EPOCH) {
            return ErrorCode.INVALID_PRODUCER_EPOCH;
        } else if (outcome == APPEND_INVALID_REQUEST) {
            return ErrorCode.INVALID_REQUEST;
        }
        return ErrorCode.STORAGE_ERROR;
    }

    /**
     * After an append, outside the lock: parked consumes are answered (with the new records, or whatever a read says
     * now) before the publisher, so the two responses leave this thread back to back (usually one event-loop wake-up
     * for both), the consumers' first since they are the end-to-end path.
     */
    private boolean answer(Partition p, long outcome, long end, short acks, int timeoutMs, PublishCallback callback,
                           boolean now) {
        try {
            if (outcome >= 0) {
                ReplicaFetchServer.wakeFetchWaiters(p);
                replication.maybeAdvanceHighWatermark(p);
            }
        } finally {
            // the publisher is answered whatever happened to a consume's answer (its connection counts on it)
            if (outcome >= 0) {
                if (acks == -1 && !replication.delay(p, outcome, end, timeoutMs, callback)) {
                    return false;
                }
                if (now) {
                    callback.onPublished(ErrorCode.NONE, table.epoch, outcome, p.log.logStartOffset());
                } else {
                    callback.onPublishedLater(ErrorCode.NONE, table.epoch, outcome, p.log.logStartOffset());
                }
            } else {
                ErrorCode error = errorOf(outcome);
                if (now) {
                    callback.onPublished(error, table.epoch, -1, -1);
                } else {
                    callback.onPublishedLater(error, table.epoch, -1, -1);
                }
            }
        }
        return true;
    }
}
