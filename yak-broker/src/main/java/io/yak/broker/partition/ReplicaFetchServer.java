package io.yak.broker.partition;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.util.HashedWheelTimer;
import io.yak.broker.log.CorruptBatchException;
import io.yak.broker.log.EpochEndOffset;
import io.yak.broker.log.OffsetOutOfRangeException;
import io.yak.broker.log.PartitionLog;
import io.yak.broker.replica.Divergence;
import io.yak.broker.replica.LeaderReplicas;
import io.yak.wire.ErrorCode;
import io.yak.wire.message.BrokerInfo;
import io.yak.wire.message.PartitionInfo;
import io.yak.wire.message.ReplicaFetchPartition;
import io.yak.wire.message.ReplicaFetchPartitionData;
import io.yak.wire.message.ReplicaFetchRequest;
import io.yak.wire.message.ReplicaFetchResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The leader serving its followers' REPLICA_FETCH requests: checks each partition asked for, answers a divergence
 * or the records from the fetch offset, records the follower's progress ({@link LeaderReplication}: the high
 * watermark and the ISR may move), and parks a fetch that found nothing new ({@link FetchWaiter}) until a partition
 * grows or its max wait passes on {@code yak-consume-timer}. Event loops.
 */
final class ReplicaFetchServer {
    /** Logs as the manager whose lines these always were (log filters and tests name it). */
    private static final Logger LOG = LoggerFactory.getLogger(PartitionManager.class);

    private final int brokerId;
    private final ReplicationConfig config;
    private final LongSupplier nowMs;
    private final PartitionTable table;
    private final LeaderReplication replication;
    private final OfflinePartitions offline;
    /** Max-wait timeouts of parked fetches. */
    private final HashedWheelTimer waitTimer;

    ReplicaFetchServer(int brokerId, ReplicationConfig config, LongSupplier nowMs, PartitionTable table,
                       LeaderReplication replication, OfflinePartitions offline, HashedWheelTimer waitTimer) {
        this.brokerId = brokerId;
        this.config = config;
        this.nowMs = nowMs;
        this.table = table;
        this.replication = replication;
        this.offline = offline;
        this.waitTimer = waitTimer;
    }

    /** Serves again the replica fetches parked on {@code p}: it grew, or its leadership ended. */
    static void wakeFetchWaiters(Partition p) {
        FetchWaiter w;
        while ((w = p.fetchWaiters.poll()) != null) {
            if (w.claim()) {
                w.fire();
            }
        }
    }

    /**
     * Serves a follower's fetch: records of each partition from its fetch offset (not bounded by the high
     * watermark), its divergence from this leader's log, and the follower's progress, from which the high watermark
     * and the ISR move. When nothing is new it parks for up to {@code max_wait_ms}, and is served again on
     * {@code retries} (the connection's event loop) once a partition grows. {@code answer} owns the response.
     */
    void replicaFetch(ReplicaFetchRequest req, Executor retries, Consumer<ReplicaFetchResponse> answer) {
        serveFetch(req, retries, answer, req.maxWaitMs() > 0);
    }

    private void serveFetch(ReplicaFetchRequest req, Executor retries, Consumer<ReplicaFetchResponse> answer,
                            boolean mayWait) {
        BrokerInfo follower = table.broker(req.replicaId());
        if (follower != null && follower.brokerEpoch() > req.brokerEpoch()) {
            answer.accept(new ReplicaFetchResponse(ErrorCode.STALE_BROKER_EPOCH, List.of(), Unpooled.EMPTY_BUFFER));
            return;
        }
        long now = nowMs.getAsLong();
        List<ReplicaFetchPartitionData> out = new ArrayList<>(req.partitions().size());
        CompositeByteBuf records = null;
        long total = 0;
        boolean news = false;
        List<Partition> served = new ArrayList<>(req.partitions().size());
        long[] servedEnds = new long[req.partitions().size()];
        for (ReplicaFetchPartition fp : req.partitions()) {
            Partition p = table.lookup(fp.topic(), fp.partition());
            ErrorCode error = fetchError(fp, p, req.replicaId());
            if (error != ErrorCode.NONE) {
                out.add(ReplicaFetchPartitionData.empty(fp.topic(), fp.partition(), error, -1, -1, -1));
                news = true;
                continue;
            }
            PartitionLog log = p.log;
            long leaderEnd = log.logEndOffset();
            EpochEndOffset diverged = Divergence.divergence(log.endOffsetForEpoch(fp.lastFetchedEpoch()),
                log.latestEpoch(), log.logStartOffset(), fp.lastFetchedEpoch(), fp.fetchOffset());
            if (diverged != null) {
                out.add(new ReplicaFetchPartitionData(fp.topic(), fp.partition(), ErrorCode.NONE,
                    log.highWatermark(), log.logStartOffset(), leaderEnd, diverged.epoch(), diverged.endOffset(), 0));
                news = true;
                continue;
            }
            if (fp.fetchOffset() < log.logStartOffset() || fp.fetchOffset() > leaderEnd) {
                out.add(ReplicaFetchPartitionData.empty(fp.topic(), fp.partition(), ErrorCode.OFFSET_OUT_OF_RANGE,
                    log.highWatermark(), log.logStartOffset(), leaderEnd));
                news = true;
                continue;
            }
            LeaderReplicas r;
            List<Integer> expanded = null;
            int expandedFrom = 0;
            synchronized (p.replication) {
                r = p.replicas;
                if (r != null) {
                    r.onFetch(req.replicaId(), fp.fetchOffset(), leaderEnd, now);
                    expanded = r.expandProposal(req.replicaId(), log.highWatermark());
                    if (expanded != null) {
                        expandedFrom = r.proposed(expanded);
                    }
                }
            }
            if (r == null) {
                out.add(ReplicaFetchPartitionData.empty(fp.topic(), fp.partition(), ErrorCode.NOT_LEADER, -1, -1, -1));
                news = true;
                continue;
            }
            if (expanded != null) {
                replication.proposeIsr(p, r, expanded, expandedFrom, "broker " + req.replicaId()
                    + " caught up to offset " + fp.fetchOffset());
            }
            replication.maybeAdvanceHighWatermark(p);
            servedEnds[served.size()] = leaderEnd;
            served.add(p);
            int length = 0;
            if (fp.fetchOffset() < leaderEnd && total < req.maxBytes()) {
                ByteBuf slice;
                try {
                    slice = log.read(fp.fetchOffset(), Math.max(1, Math.min(fp.maxBytes(),
                        config.replicaFetchMaxBytes())));
                } catch (OffsetOutOfRangeException e) {
                    slice = Unpooled.EMPTY_BUFFER;
                } catch (CorruptBatchException e) {
                    LOG.error("broker {}: partition {} is offline: corrupt batch found serving a replica fetch at "
                        + "offset {}: {}", brokerId, p.name, fp.fetchOffset(), e.getMessage());
                    offline.markOffline(p, "corrupt batch at offset " + fp.fetchOffset() + ": "
                        + OfflinePartitions.reason(e));
                    out.add(ReplicaFetchPartitionData.empty(fp.topic(), fp.partition(), ErrorCode.STORAGE_ERROR,
                        -1, -1, -1));
                    news = true;
                    continue;
                }
                length = slice.readableBytes();
                if (length > 0) {
                    if (records == null) {
                        records = PooledByteBufAllocator.DEFAULT.compositeDirectBuffer(Math.max(2,
                            req.partitions().size()));
                    }
                    records.addComponent(true, slice);
                    total += length;
                    news = true;
                } else {
                    slice.release();
                }
            }
            out.add(new ReplicaFetchPartitionData(fp.topic(), fp.partition(), ErrorCode.NONE, log.highWatermark(),
                log.logStartOffset(), leaderEnd, ReplicaFetchPartitionData.NO_DIVERGENCE, -1, length));
        }
        if (!news && mayWait && !served.isEmpty()) {
            park(req, retries, answer, served, servedEnds);
            return;
        }
        answer.accept(new ReplicaFetchResponse(ErrorCode.NONE, out, records == null ? Unpooled.EMPTY_BUFFER : records));
    }

    private ErrorCode fetchError(ReplicaFetchPartition fp, Partition p, int replicaId) {
        if (p == null) {
            return table.hasTopic(fp.topic()) ? ErrorCode.UNKNOWN_PARTITION : ErrorCode.UNKNOWN_TOPIC;
        }
        Partition.Role role = p.role;
        if (!role.leader() || p.log == null || p.replicas == null) {
            return ErrorCode.NOT_LEADER;
        }
        if (p.failure != null) {
            return ErrorCode.STORAGE_ERROR;
        }
        ErrorCode fenced = RequestCheck.leaderEpochError(fp.currentLeaderEpoch(), role.leaderEpoch());
        if (fenced != ErrorCode.NONE) {
            return fenced;
        }
        PartitionInfo info = role.info();
        if (info == null || !info.isReplica(replicaId) || replicaId == brokerId) {
            return ErrorCode.INELIGIBLE_REPLICA;
        }
        return ErrorCode.NONE;
    }

    /** Parks a fetch that found nothing new on each of its partitions until one grows or max_wait_ms passes. */
    private void park(ReplicaFetchRequest req, Executor retries, Consumer<ReplicaFetchResponse> answer,
                      List<Partition> served, long[] ends) {
        FetchWaiter w = new FetchWaiter(served, () -> {
            try {
                retries.execute(() -> serveFetch(req, retries, answer, false));
            } catch (RejectedExecutionException e) {
                LOG.debug("broker {}: replica fetch connection closed while parked", brokerId);
            }
        });
        w.park();
        try {
            w.timer = waitTimer.newTimeout(t -> {
                if (w.claim()) {
                    w.fire();
                }
            }, req.maxWaitMs(), TimeUnit.MILLISECONDS);
        } catch (IllegalStateException e) {
            if (w.claim()) {
                w.fire(); // the timer stopped: the broker is closing
            }
            return;
        }
        // an append between the reads and the enqueue would not have seen this waiter
        // (compared with the ends the fetch was served from, not read again: an append in between would be missed)
        for (int i = 0; i < served.size(); i++) {
            Partition p = served.get(i);
            if ((p.log == null || p.log.logEndOffset() != ends[i] || !p.role.leader()) && w.claim()) {
                w.fire();
                return;
            }
        }
    }
}
