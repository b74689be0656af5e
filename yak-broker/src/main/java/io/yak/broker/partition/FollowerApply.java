package io.yak.broker.partition;

import io.netty.buffer.ByteBuf;
import io.yak.broker.log.EpochEndOffset;
import io.yak.broker.log.PartitionLog;
import io.yak.broker.replica.Divergence;
import io.yak.wire.message.ReplicaFetchPartition;
import io.yak.wire.message.ReplicaFetchPartitionData;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The follower's side of a replica fetch answer, applied to one partition's log on its writer thread
 * ({@link FollowerFetchers} hands it over): records appended as the leader gave them, a divergence or an offset out
 * of range truncated, the leader's high watermark learned.
 */
final class FollowerApply {
    /** Logs as the manager whose lines these always were (log filters and tests name it). */
    private static final Logger LOG = LoggerFactory.getLogger(PartitionManager.class);

    private final int brokerId;
    private final OfflinePartitions offline;

    FollowerApply(int brokerId, OfflinePartitions offline) {
        this.brokerId = brokerId;
        this.offline = offline;
    }

    /**
     * Follower side, on the partition's writer thread holding its lock: applies what the leader answered for
     * {@code asked} (records appended unchanged, a divergence truncated, the high watermark learned). Takes
     * ownership of {@code records}.
     *
     * @return true when the partition made progress or needs no pause before the next fetch
     */
    boolean applyFetched(Partition p, ReplicaFetchPartition asked, ReplicaFetchPartitionData d, ByteBuf records) {
        try {
            PartitionLog log = p.log;
            Partition.Role role = p.role;
            if (log == null || role.leader() || p.failure != null || log.logEndOffset() != asked.fetchOffset()
                || role.leaderEpoch() != asked.currentLeaderEpoch()) {
                return true; // the state moved on since the request was built: the next fetch starts from it
            }
            switch (d.error()) {
                case NONE -> {
                    if (d.diverged()) {
                        EpochEndOffset ours = log.endOffsetForEpoch(d.divergingEpoch());
                        long target = Divergence.truncationTarget(ours, log.firstEpochStartOffset(),
                            d.divergingEpoch(), d.divergingEndOffset(), log.logEndOffset(), log.logStartOffset());
                        LOG.info("broker {}: partition {} diverges from leader at epoch {} (leader's end offset {}, "
                                + "ours {}): truncating {} -> {}", brokerId, p.name, d.divergingEpoch(),
                            d.divergingEndOffset(), ours.endOffset(), log.logEndOffset(), target);
                        log.truncateTo(target);
                        return true;
                    }
                    if (records.isReadable()) {
                        log.appendAsFollower(records);
                    }
                    long hw = Math.min(d.highWatermark(), log.logEndOffset());
                    if (hw > log.highWatermark()) {
                        log.updateHighWatermark(hw);
                    }
                    return true;
                }
                case OFFSET_OUT_OF_RANGE -> {
                    if (asked.fetchOffset() < d.logStartOffset() || d.logEndOffset() < log.logStartOffset()) {
                        LOG.warn("broker {}: partition {} starts anew at the leader's log start {} (our log {}..{})",
                            brokerId, p.name, d.logStartOffset(), log.logStartOffset(), log.logEndOffset());
                        log.truncateFullyAndStartAt(d.logStartOffset());
                    } else {
                        LOG.warn("broker {}: partition {} is ahead of the leader's log end {}: truncating {} -> {}",
                            brokerId, p.name, d.logEndOffset(), log.logEndOffset(), d.logEndOffset());
                        log.truncateTo(d.logEndOffset());
                    }
                    return true;
                }
                default -> {
                    LOG.debug("broker {}: replica fetch of {} answered {}", brokerId, p.name, d.error());
                    return false;
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.error("broker {}: replicating {} failed: {}", brokerId, p.name, e.toString(), e);
            offline.offlineIfFailed(p, p.log, e);
            return false;
        } finally {
            records.release();
        }
    }
}
