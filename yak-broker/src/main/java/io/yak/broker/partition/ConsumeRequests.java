package io.yak.broker.partition;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.util.HashedWheelTimer;
import io.yak.broker.log.CorruptBatchException;
import io.yak.broker.log.OffsetOutOfRangeException;
import io.yak.broker.log.PartitionLog;
import io.yak.wire.ErrorCode;
import io.yak.wire.record.RecordBatchFlyweight;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves consumes and offset lookups of the partitions this broker leads, below their high watermark, to clients
 * whose leader epoch is this leader's ({@link RequestCheck}): a consume at the high watermark parks
 * ({@link ConsumeWaiter}) until it moves ({@link #wakeWaiters}) or its max wait passes on {@code yak-consume-timer}.
 * Event loops, and whichever thread moves a high watermark.
 */
final class ConsumeRequests {
    /** Logs as the manager whose lines these always were (log filters and tests name it). */
    private static final Logger LOG = LoggerFactory.getLogger(PartitionManager.class);
    /** Parked consumes per partition; beyond this a consume answers at once with no data. */
    private static final int MAX_WAITERS_PER_PARTITION = 10_000;

    private final int brokerId;
    private final PartitionTable table;
    private final RequestCheck check;
    private final OfflinePartitions offline;
    /** Max-wait timeouts of parked consumes. */
    private final HashedWheelTimer waitTimer;

    ConsumeRequests(int brokerId, PartitionTable table, RequestCheck check, OfflinePartitions offline,
                    HashedWheelTimer waitTimer) {
        this.brokerId = brokerId;
        this.table = table;
        this.check = check;
        this.offline = offline;
        this.waitTimer = waitTimer;
    }

    /**
     * The high watermark of {@code p} moved, or this broker's leadership of it ended: parked consumes read again,
     * or are answered NOT_LEADER when the leadership they were parked in is over.
     */
    void wakeWaiters(Partition p) {
        ConsumeWaiter w;
        while ((w = p.waiters.poll()) != null) {
            if (w.claim()) {
                answerParked(p, w);
            }
        }
    }

    private void answerParked(Partition p, ConsumeWaiter w) {
        Partition.Role role = p.role;
        if (!role.leader() || role.leaderEpoch() != w.leaderEpoch) {
            w.callback.onConsumed(ErrorCode.NOT_LEADER, table.epoch, -1, -1, Unpooled.EMPTY_BUFFER);
            return;
        }
        read(p, w.offset, w.maxBytes, w.callback);
    }

    /** Closing, after the wait timer stopped: parked consumes are answered PARTITION_OFFLINE. */
    void failWaiters(Partition p) {
        ConsumeWaiter w;
        while ((w = p.waiters.poll()) != null) {
            if (w.claim()) {
                w.callback.onConsumed(ErrorCode.PARTITION_OFFLINE, table.epoch, -1, -1, Unpooled.EMPTY_BUFFER);
            }
        }
    }

    /** See {@link PartitionManager#consume}. */
    void consume(String topic, int partition, int currentLeaderEpoch, long offset, int maxBytes, int maxWaitMs,
                 ConsumeCallback callback) {
        Partition p = table.lookup(topic, partition);
        ErrorCode error = check.check(topic, partition, p, currentLeaderEpoch);
        if (error != ErrorCode.NONE) {
            callback.onConsumed(error, table.epoch, -1, -1, Unpooled.EMPTY_BUFFER);
            return;
        }
        PartitionLog log = p.log;
        long hw = log.highWatermark();
        if (offset >= hw && offset <= log.logEndOffset() && maxWaitMs > 0
            && p.waiters.size() < MAX_WAITERS_PER_PARTITION) {
            ConsumeWaiter w = new ConsumeWaiter(offset, maxBytes, callback, p.role.leaderEpoch());
            p.waiters.add(w);
            w.timer = waitTimer.newTimeout(t -> {
                if (w.claim()) {
                    p.waiters.remove(w);
                    answerParked(p, w);
                }
            }, maxWaitMs, TimeUnit.MILLISECONDS);
            // A high watermark move between the check and the enqueue would not have seen this waiter.
            if (log.highWatermark() != hw && w.claim()) {
                p.waiters.remove(w);
                read(p, offset, maxBytes, callback);
            }
            return;
        }
        read(p, offset, maxBytes, callback);
    }

    private void read(Partition p, long offset, int maxBytes, ConsumeCallback callback) {
        PartitionLog log = p.log;
        ByteBuf records;
        long hw = log.highWatermark();
        try {
            records = offset >= hw && offset <= log.logEndOffset() ? Unpooled.EMPTY_BUFFER
                : log.read(offset, maxBytes, hw);
        } catch (OffsetOutOfRangeException e) {
            callback.onConsumed(ErrorCode.OFFSET_OUT_OF_RANGE, table.epoch, log.logEndOffset(), log.logStartOffset(),
                Unpooled.EMPTY_BUFFER);
            return;
        } catch (CorruptBatchException e) {
            // Never serve it, and serve nothing more from this partition: the log needs a restart to re-check.
            LOG.error("broker {}: partition {} is offline: corrupt batch found while reading offset {}: {}",
                brokerId, p.name, offset, e.getMessage());
            offline.markOffline(p, "corrupt batch at offset " + offset + ": " + OfflinePartitions.reason(e));
            callback.onConsumed(ErrorCode.STORAGE_ERROR, table.epoch, -1, -1, Unpooled.EMPTY_BUFFER);
            return;
        } catch (RuntimeException e) {
            LOG.error("broker {}: read of {} at offset {} failed: {}", brokerId, p.name, offset, e.toString(), e);
            callback.onConsumed(ErrorCode.STORAGE_ERROR, table.epoch, -1, -1, Unpooled.EMPTY_BUFFER);
            return;
        }
        int bytes = records.readableBytes();
        if (bytes > 0) {
            p.bytesOut.addAndGet(bytes);
            p.recordsOut.addAndGet(RecordBatchFlyweight.recordCount(records, records.readerIndex(),
                records.writerIndex()));
        }
        callback.onConsumed(ErrorCode.NONE, table.epoch, hw, log.logStartOffset(), records);
    }

    /** See {@link PartitionManager#listOffset}. */
    ErrorCode listOffset(String topic, int partition, int currentLeaderEpoch, long timestamp, long[] out) {
        Partition p = table.lookup(topic, partition);
        ErrorCode error = check.check(topic, partition, p, currentLeaderEpoch);
        if (error != ErrorCode.NONE) {
            return error;
        }
        if (timestamp == -2) {
            out[0] = p.log.logStartOffset();
        } else if (timestamp == -1) {
            out[0] = p.log.highWatermark(); // Kafka's "latest": what consumers can read
        } else if (timestamp >= 0) {
            long offset;
            try {
                offset = p.log.offsetForTimestamp(timestamp);
            } catch (CorruptBatchException e) {
                LOG.error("broker {}: partition {} is offline: corrupt batch found by a timestamp lookup: {}",
                    brokerId, p.name, e.getMessage());
                offline.markOffline(p, "corrupt batch found by a timestamp lookup: " + OfflinePartitions.reason(e));
                return ErrorCode.STORAGE_ERROR;
            }
            out[0] = offset < 0 ? p.log.highWatermark() : Math.min(offset, p.log.highWatermark());
        } else {
            return ErrorCode.INVALID_REQUEST;
        }
        return ErrorCode.NONE;
    }
}
