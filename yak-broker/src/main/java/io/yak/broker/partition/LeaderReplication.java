package io.yak.broker.partition;

import io.netty.util.HashedWheelTimer;
import io.yak.broker.log.PartitionLog;
import io.yak.broker.replica.LeaderReplicas;
import io.yak.wire.ErrorCode;
import io.yak.wire.message.AlterIsrPartition;
import io.yak.wire.message.AlterIsrResult;
import io.yak.wire.message.PartitionInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The leader's side of replication for the partitions this broker leads: each leader epoch's follower bookkeeping
 * ({@link LeaderReplicas}, started by {@link #makeLeader}, ended by {@link #resign}), the high watermark it allows,
 * acks=all publishes waiting for it, and the ISR: the periodic check for lagging followers and the proposals sent to
 * the coordinator through the {@link IsrChannel}.
 *
 * <p>Threads: {@link #maybeAdvanceHighWatermark} on any thread; {@link #makeLeader} on the partition's writer
 * thread; {@link #checkIsr} on {@code yak-log-timer}; ISR answers on whichever thread the channel answers. A
 * partition's replication state is guarded by its {@code replication} monitor, held only for bookkeeping, never
 * while calling out.
 */
final class LeaderReplication {
    /** Logs as the manager whose lines these always were (log filters and tests name it). */
    private static final Logger LOG = LoggerFactory.getLogger(PartitionManager.class);

    private final int brokerId;
    private final ReplicationConfig replication;
    private final IsrChannel isrChannel;
    private final LongSupplier nowMs;
    private final PartitionTable table;
    /** Wakes the consumes parked at the old high watermark. */
    private final ConsumeRequests consumes;
    /** Request timeouts of waiting acks=all publishes ({@code yak-consume-timer}). */
    private final HashedWheelTimer waitTimer;

    LeaderReplication(int brokerId, ReplicationConfig replication, IsrChannel isrChannel, LongSupplier nowMs,
                      PartitionTable table, ConsumeRequests consumes, HashedWheelTimer waitTimer) {
        this.brokerId = brokerId;
        this.replication = replication;
        this.isrChannel = isrChannel;
        this.nowMs = nowMs;
        this.table = table;
        this.consumes = consumes;
        this.waitTimer = waitTimer;
    }

    /** Writer thread, after the log opened: starts the bookkeeping of this leader epoch. */
    void makeLeader(Partition p, PartitionInfo info) {
        PartitionLog log = p.log;
        Partition.Role role = p.role;
        if (log == null || !role.leader() || role.leaderEpoch() != info.leaderEpoch()) {
            return;
        }
        LeaderReplicas r = new LeaderReplicas(role.info().leaderEpoch() == info.leaderEpoch() ? role.info() : info,
            brokerId, log.logEndOffset(), nowMs.getAsLong());
        synchronized (p.replication) {
            p.replicas = r;
        }
        LOG.info("broker {}: partition {} leader epoch {} starts at offset {} (high watermark {}, isr {})", brokerId,
            p.name, info.leaderEpoch(), log.logEndOffset(), log.highWatermark(), r.info().isr());
        maybeAdvanceHighWatermark(p);
    }

    /**
     * Ends this broker's leadership of {@code p}: waiting acks=all publishes and parked fetches are answered, and
     * parked consumes too (NOT_LEADER once the role no longer leads in their epoch).
     */
    void resign(Partition p, ErrorCode why) {
        if (!p.waiters.isEmpty()) {
            consumes.wakeWaiters(p);
        }
        List<DelayedPublish> waiting;
        synchronized (p.replication) {
            if (p.replicas == null && p.delayed.size() == 0) {
                return; // every cluster view passes here for each partition this broker does not lead
            }
            p.replicas = null;
            waiting = new ArrayList<>(p.delayed.size());
            p.delayed.drain(waiting);
        }
        for (DelayedPublish d : waiting) {
            answerDelayed(d, why);
        }
        ReplicaFetchServer.wakeFetchWaiters(p);
    }

    /** A cluster view of the same leader epoch: the followers' bookkeeping takes its replicas and ISR. */
    void update(Partition p, PartitionInfo info) {
        synchronized (p.replication) {
            if (p.replicas != null) {
                p.replicas.update(info, nowMs.getAsLong());
            }
        }
        afterIsrChange(p);
    }

    /** The ISR changed: acks=all publishes fail once it is below min.insync.replicas; the HW may move. */
    private void afterIsrChange(Partition p) {
        List<DelayedPublish> failed = null;
        synchronized (p.replication) {
            LeaderReplicas r = p.replicas;
            if (r != null && r.info().isr().size() < p.role.minIsr() && p.delayed.size() > 0) {
                failed = new ArrayList<>();
                p.delayed.drain(failed);
            }
        }
        if (failed != null) {
            for (DelayedPublish d : failed) {
                answerDelayed(d, ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND);
            }
        }
        maybeAdvanceHighWatermark(p);
    }

    private void answerDelayed(DelayedPublish d, ErrorCode error) {
        if (d.timer != null) {
            d.timer.cancel();
        }
        d.callback.onPublishedLater(error, table.epoch, error == ErrorCode.NONE ? d.baseOffset : -1, -1);
    }

    /**
     * Moves the high watermark of a partition this broker leads to what its ISR allows, then answers the acks=all
     * publishes it covers and the consumes parked at the old one. Any thread.
     */
    void maybeAdvanceHighWatermark(Partition p) {
        PartitionLog log = p.log;
        if (log == null) {
            return;
        }
        long before = log.highWatermark();
        long hw;
        List<DelayedPublish> done = null;
        synchronized (p.replication) {
            LeaderReplicas r = p.replicas;
            if (r == null) {
                return;
            }
            long candidate = r.highWatermark(log.logEndOffset(), p.role.minIsr());
            if (candidate > before) {
                log.updateHighWatermark(candidate);
            }
            hw = log.highWatermark();
            if (p.delayed.size() > 0) {
                done = new ArrayList<>();
                p.delayed.completed(hw, done);
            }
        }
        if (hw > before) {
            consumes.wakeWaiters(p);
        }
        if (done != null) {
            long start = log.logStartOffset();
            for (DelayedPublish d : done) {
                if (d.timer != null) {
                    d.timer.cancel();
                }
                d.callback.onPublishedLater(ErrorCode.NONE, table.epoch, d.baseOffset, start);
            }
        }
    }

    /**
     * Parks an acks=all publish until the high watermark reaches {@code end}, or answers at once.
     *
     * @return true when the publish may be answered now (its records are committed already)
     */
    boolean delay(Partition p, long base, long end, int timeoutMs, PublishCallback callback) {
        PartitionLog log = p.log;
        if (log.highWatermark() >= end) {
            return true; // one replica, or followers already past it: the usual case needs no lock (the HW only rises)
        }
        DelayedPublish d = null;
        synchronized (p.replication) {
            if (log.highWatermark() >= end) {
                return true;
            }
            if (p.replicas != null) {
                d = new DelayedPublish(callback, base);
                d.entry = p.delayed.add(end, d);
            }
        }
        if (d == null) {
            // the leadership ended between the append and now
            callback.onPublishedLater(ErrorCode.NOT_LEADER, table.epoch, -1, -1);
            return false;
        }
        DelayedPublish parked = d;
        try {
            parked.timer = waitTimer.newTimeout(t -> {
                boolean expired;
                synchronized (p.replication) {
                    expired = p.delayed.expire(parked.entry);
                }
                if (expired) {
                    callback.onPublishedLater(ErrorCode.REQUEST_TIMED_OUT, table.epoch, -1, -1);
                }
            }, Math.max(1, timeoutMs), TimeUnit.MILLISECONDS);
        } catch (IllegalStateException e) {
            // the timer stopped: the broker is closing, and close() answers what waits
        }
        return false;
    }

    /** Timer: proposes to drop followers that have not caught up within replica.lag.time.max.ms. */
    void checkIsr() {
        long now = nowMs.getAsLong();
        for (Partition p : table.all()) {
            if (!p.role.leader()) {
                continue;
            }
            LeaderReplicas r;
            List<Integer> shrunk;
            String lagging;
            int from;
            synchronized (p.replication) {
                r = p.replicas;
                if (r == null) {
                    continue;
                }
                shrunk = r.shrinkProposal(now, replication.replicaLagTimeMaxMs());
                if (shrunk == null) {
                    continue;
                }
                lagging = r.lagging(now, replication.replicaLagTimeMaxMs());
                from = r.proposed(shrunk);
            }
            proposeIsr(p, r, shrunk, from, "behind for more than replica.lag.time.max.ms "
                + replication.replicaLagTimeMaxMs() + ": " + lagging);
        }
    }

    /** Sends a proposal {@link LeaderReplicas#proposed} recorded, computed from partition epoch {@code from}. */
    void proposeIsr(Partition p, LeaderReplicas r, List<Integer> isr, int from, String why) {
        LOG.info("broker {}: partition {} asks the coordinator to change its isr {} -> {} ({})", brokerId, p.name,
            r.info().isr(), isr, why);
        AlterIsrPartition proposal = new AlterIsrPartition(p.topic, p.partition, r.leaderEpoch(), from, isr);
        isrChannel.alterIsr(proposal, result -> onIsrResult(p, r, proposal, result));
    }

    private void onIsrResult(Partition p, LeaderReplicas r, AlterIsrPartition proposal, AlterIsrResult result) {
        boolean applied = false;
        synchronized (p.replication) {
            if (p.replicas != r) {
                return; // the leadership changed meanwhile
            }
            if (result != null && result.error() == ErrorCode.NONE && result.leaderEpoch() == r.leaderEpoch()) {
                PartitionInfo info = r.info();
                PartitionInfo next = new PartitionInfo(info.partition(), result.leader(), result.leaderEpoch(),
                    result.partitionEpoch(), info.replicas(), result.isr());
                r.update(next, nowMs.getAsLong());
                Partition.Role role = p.role;
                if (role.info() == null || role.info().partitionEpoch() < next.partitionEpoch()) {
                    p.role = role.withInfo(next);
                }
                applied = true;
            } else if (result == null) {
                // the coordinator may have applied it: it stays counted until the next state of this epoch tells
                r.proposalUnanswered(proposal.partitionEpoch());
            } else {
                r.proposalFailed(proposal.partitionEpoch());
            }
        }
        if (applied) {
            LOG.info("broker {}: partition {} isr is now {} (partition epoch {})", brokerId, p.name, result.isr(),
                result.partitionEpoch());
        } else {
            LOG.info("broker {}: partition {} isr change not applied: {}", brokerId, p.name,
                result == null ? "no answer from the coordinator" : result.error() + " (current isr " + result.isr()
                    + ", partition epoch " + result.partitionEpoch() + ")");
        }
        afterIsrChange(p);
    }
}
