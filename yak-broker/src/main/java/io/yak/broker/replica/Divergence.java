package io.yak.broker.replica;

import io.yak.broker.log.EpochEndOffset;

/**
 * KIP-279's two rules for finding where a follower's log leaves its leader's, as pure functions: the leader's
 * answer to a replica fetch ({@link #divergence}) and the follower's truncation point ({@link #truncationTarget}).
 * Used by the broker ({@code PartitionManager}) and by the replication simulation, so both run the same rules.
 *
 * <p>Why the rules are right: a batch's (offset, leader epoch) names its bytes (one leader per epoch appends each
 * offset once), and two logs that hold the same epoch up to the same offset hold the same records before it (each
 * leader starts its epoch on a log that matched its own). So a follower whose last batch's epoch the leader knows,
 * and whose log end the leader's log reaches within that epoch, holds a prefix of the leader's log.
 *
 * <p>No state, no allocation except the answer of {@link #divergence} in the diverged case; any thread.
 */
public final class Divergence {
    private Divergence() {
    }

    /**
     * Leader side: whether the follower's log, ending at {@code fetchOffset} with a last batch of epoch
     * {@code lastFetchedEpoch}, is a prefix of the leader's.
     *
     * @param leaderAnswer       the leader's {@code endOffsetForEpoch(lastFetchedEpoch)}: the largest epoch at or
     *                           below it that the leader's log knows, and where that epoch ends there
     * @param leaderLatestEpoch  the leader's {@code latestEpoch()}, -1 when its log knows none
     * @param leaderLogStart     the leader's {@code logStartOffset()}
     * @param lastFetchedEpoch   the epoch of the follower's last batch, -1 when it has none
     * @param fetchOffset        the follower's log end
     * @return null when the follower's log matches as far as it goes (it may fetch from {@code fetchOffset}, subject
     *     to the offset range check); otherwise the epoch and end offset the follower must truncate against: the
     *     leader's answer when it knows an epoch at or below {@code lastFetchedEpoch} but that is another epoch, or
     *     ends before {@code fetchOffset}; {@code (lastFetchedEpoch, leaderLogStart)} when every epoch the leader
     *     knows is newer than the follower's last one (Kafka answers the first epoch's start offset there; YaK's
     *     epoch cache answers undefined instead, and without this rule a follower holding records of an epoch the
     *     leader never had below their offsets would be taken as matching: found by the replication simulation)
     */
    public static EpochEndOffset divergence(EpochEndOffset leaderAnswer, int leaderLatestEpoch, long leaderLogStart,
                                            int lastFetchedEpoch, long fetchOffset) {
        if (lastFetchedEpoch < 0) {
            return null; // nothing with an epoch to compare; the offset range check applies
        }
        if (leaderAnswer.isUndefined()) {
            if (leaderLatestEpoch < 0 || fetchOffset <= leaderLogStart) {
                // the leader knows no epoch at all (its log is empty or has only epoch-less batches), or the
                // follower's records are all below the leader's log start: the offset range check decides
                return null;
            }
            return new EpochEndOffset(lastFetchedEpoch, leaderLogStart);
        }
        if (leaderAnswer.epoch() != lastFetchedEpoch || leaderAnswer.endOffset() < fetchOffset) {
            return leaderAnswer;
        }
        return null;
    }

    /**
     * Follower side: the offset to truncate the log to after the leader answered a divergence at
     * {@code (divergingEpoch, divergingEndOffset)}: the smaller of the leader's end of that epoch and the follower's
     * own end of it ({@code followerOwn}, its {@code endOffsetForEpoch(divergingEpoch)}; when it knows no epoch at or
     * below it, where its first known epoch starts, as Kafka's cache answers: every record from there is of an epoch
     * the leader does not have there; its log end when it knows no epoch at all), never below its log start. Never the follower's own high watermark: that one may be
     * stale, and records below a high watermark the leader committed are on the leader with the same epochs, so the
     * target is at or above them anyway.
     *
     * @param followerFirstEpochStart where the follower's first known epoch starts, -1 when it knows none
     * @throws IllegalArgumentException when {@code followerOwn} names an epoch above {@code divergingEpoch} (it is
     *                                  not the follower's answer for that epoch: a caller bug)
     */
    public static long truncationTarget(EpochEndOffset followerOwn, long followerFirstEpochStart, int divergingEpoch,
                                        long divergingEndOffset, long followerLogEnd, long followerLogStart) {
        if (followerOwn.epoch() > divergingEpoch) {
            throw new IllegalArgumentException("follower's end offset " + followerOwn + " is not its answer for "
                + "leader epoch " + divergingEpoch);
        }
        long own = !followerOwn.isUndefined() ? followerOwn.endOffset()
            : followerFirstEpochStart >= 0 ? followerFirstEpochStart : followerLogEnd;
        long target = Math.min(Math.min(divergingEndOffset, own), followerLogEnd);
        return Math.max(target, followerLogStart);
    }
}
