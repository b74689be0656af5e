package io.yak.broker.replica;

import io.yak.wire.message.PartitionInfo;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a partition's leader knows of its followers for one leader epoch: how far each one's log reaches, when it
 * was last caught up, and the ISR (the coordinator's, plus the members being added while an ALTER_ISR is in
 * flight: Kafka's "maximal ISR", so the high watermark never counts on a replica the coordinator may not have
 * accepted, nor ignores one it may have). From these it derives the high watermark and the ISR changes to propose.
 *
 * <p>Pure logic with the caller's clock; not thread-safe: the caller holds its monitor. Used by the broker and by
 * the replication simulation.
 */
public final class LeaderReplicas {
    /** Log end offset of a follower that has not fetched in this leader epoch yet. */
    public static final long UNKNOWN = -1;

    private final int leaderId;
    private final int leaderEpoch;
    /** The leader's log end when it took this epoch: a follower joins the ISR only once it reached it. */
    private final long epochStartOffset;
    private PartitionInfo info;
    private final Map<Integer, Follower> followers = new HashMap<>();
    /** The ISR proposed to the coordinator and not answered yet, or null. */
    private List<Integer> pendingIsr;
    /**
     * The answer to {@link #pendingIsr} was lost ({@link #proposalUnanswered}): the coordinator may have applied it,
     * so it stays pending until the next state of this leader epoch ({@link #update}) tells.
     */
    private boolean unanswered;
    /** The partition epoch {@link #pendingIsr} was computed from: names the proposal an answer is for. */
    private int pendingFrom;

    private static final class Follower {
        long logEndOffset = UNKNOWN;
        long lastCaughtUpMs;
        long lastFetchMs;
        /** The leader's log end when this follower's previous fetch was served. */
        long leaderEndAtLastFetch = UNKNOWN;
    }

    public LeaderReplicas(PartitionInfo info, int leaderId, long epochStartOffset, long nowMs) {
        this.info = info;
        this.leaderId = leaderId;
        this.leaderEpoch = info.leaderEpoch();
        this.epochStartOffset = epochStartOffset;
        for (int r : info.replicas()) {
            if (r != leaderId) {
                Follower f = new Follower();
                // An ISR member gets a full replica.lag.time.max.ms to show up, as in Kafka.
                f.lastCaughtUpMs = nowMs;
                followers.put(r, f);
            }
        }
    }

    public int leaderEpoch() {
        return leaderEpoch;
    }

    public long epochStartOffset() {
        return epochStartOffset;
    }

    public PartitionInfo info() {
        return info;
    }

    /**
     * A newer state of the same leader epoch (an ISR change), or the same one again. Clears the proposal it answers;
     * after {@link #proposalUnanswered} any state clears it: it is what the coordinator holds after the request was
     * applied or lost (it comes on the connection registered after the one the answer was lost with).
     */
    public void update(PartitionInfo next, long nowMs) {
        if (next.partitionEpoch() < info.partitionEpoch()) {
            return; // an answer that arrived after a newer cluster view: never go back to an older ISR
        }
        if (next.partitionEpoch() > info.partitionEpoch() || unanswered) {
            pendingIsr = null;
            unanswered = false;
        }
        for (int r : next.isr()) {
            Follower f = followers.get(r);
            if (f != null && !info.isr().contains(r)) {
                f.lastCaughtUpMs = Math.max(f.lastCaughtUpMs, nowMs);
            }
        }
        info = next;
    }

    /**
     * A follower fetched from {@code fetchOffset}, its log end; {@code leaderEnd} is the leader's log end now. It
     * is caught up if it reached the leader's end now, or the end the leader had when it served its previous fetch
     * (Kafka's rule: a follower that keeps fetching as fast as records come is never behind by more than one round).
     *
     * @return false when {@code replicaId} is not a replica of the partition
     */
    public boolean onFetch(int replicaId, long fetchOffset, long leaderEnd, long nowMs) {
        Follower f = followers.get(replicaId);
        if (f == null) {
            return false;
        }
        if (fetchOffset >= leaderEnd) {
            f.lastCaughtUpMs = nowMs;
        } else if (f.leaderEndAtLastFetch != UNKNOWN && fetchOffset >= f.leaderEndAtLastFetch) {
            f.lastCaughtUpMs = Math.max(f.lastCaughtUpMs, f.lastFetchMs);
        }
        f.logEndOffset = fetchOffset;
        f.lastFetchMs = nowMs;
        f.leaderEndAtLastFetch = leaderEnd;
        return true;
    }

    public long followerEnd(int replicaId) {
        Follower f = followers.get(replicaId);
        return f == null ? UNKNOWN : f.logEndOffset;
    }

    /** The ISR the high watermark is computed over: the coordinator's, plus members a pending proposal adds. */
    public Set<Integer> maximalIsr() {
        Set<Integer> isr = new LinkedHashSet<>(info.isr());
        if (pendingIsr != null) {
            isr.addAll(pendingIsr);
        }
        return isr;
    }

    /**
     * The high watermark the ISR allows: the smallest log end over the maximal ISR (the leader's being
     * {@code leaderEnd}); {@link #UNKNOWN} while a member's end is unknown, or while the coordinator's ISR has fewer
     * than {@code minIsr} members (then records are not replicated enough to count as committed).
     */
    public long highWatermark(long leaderEnd, int minIsr) {
        if (info.isr().size() < minIsr) {
            return UNKNOWN;
        }
        // Runs after every append: walks the two lists instead of building maximalIsr()'s set.
        long hw = lowestEnd(info.isr(), leaderEnd);
        return pendingIsr == null || hw == UNKNOWN ? hw : lowestEnd(pendingIsr, hw);
    }

    /** The smallest of {@code hw} and the log ends of {@code members} other than the leader; UNKNOWN if one is. */
    private long lowestEnd(List<Integer> members, long hw) {
        for (int i = 0; i < members.size(); i++) {
            int r = members.get(i);
            if (r == leaderId) {
                continue;
            }
            Follower f = followers.get(r);
            if (f == null || f.logEndOffset == UNKNOWN) {
                return UNKNOWN;
            }
            hw = Math.min(hw, f.logEndOffset);
        }
        return hw;
    }

    public boolean proposalPending() {
        return pendingIsr != null;
    }

    /**
     * Records that {@code isr} was proposed to the coordinator, computed from the current state (its partition
     * epoch, {@link PartitionInfo#partitionEpoch()} of {@link #info()}, is the proposal's compare-and-set version and
     * names it in {@link #proposalFailed(int)} and {@link #proposalUnanswered(int)}).
     *
     * @return that partition epoch: the one to send, read under the same monitor as the proposal was made
     */
    public int proposed(List<Integer> isr) {
        pendingIsr = List.copyOf(isr);
        pendingFrom = info.partitionEpoch();
        unanswered = false;
        return pendingFrom;
    }

    /**
     * Forgets the pending proposal, whichever it was: the broker's behaviour before the replication simulation found
     * that it loses acknowledged records (a late refusal clears a newer proposal; a lost answer forgets one the
     * coordinator may have applied). Only the simulation calls it, to replay those bugs ({@code ReplicationSim},
     * {@code -Dyak.sim.legacyIsrAnswer}); the broker uses {@link #proposalFailed(int)} and
     * {@link #proposalUnanswered(int)}.
     */
    public void proposalFailed() {
        pendingIsr = null;
        unanswered = false;
    }

    /**
     * The coordinator refused the proposal computed from {@code fromPartitionEpoch} (nothing changed): the next check
     * may propose again. A refusal of an older proposal changes nothing: a newer state superseded that one (which
     * let the current one be made), and the refusal, sent after that state, must not clear the current one, which
     * the coordinator may still apply (found by the replication simulation, {@code ReplicationSimTest}).
     */
    public void proposalFailed(int fromPartitionEpoch) {
        if (pendingIsr != null && pendingFrom == fromPartitionEpoch) {
            pendingIsr = null;
            unanswered = false;
        }
    }

    /**
     * No answer came to the proposal computed from {@code fromPartitionEpoch} (the connection to the coordinator was
     * lost or could not be used, or the request was refused as a whole): the coordinator may have applied it. Until
     * the next state of this leader epoch arrives ({@link #update}: the cluster view of the next registration), the
     * proposed members stay in the maximal ISR and nothing else is proposed. Forgetting them instead let the high
     * watermark pass a follower the coordinator had just added to the ISR, which could then be elected without records
     * acknowledged with acks=all (found by the replication simulation, {@code ReplicationSimTest}).
     */
    public void proposalUnanswered(int fromPartitionEpoch) {
        if (pendingIsr != null && pendingFrom == fromPartitionEpoch) {
            unanswered = true;
        }
    }

    /**
     * The ISR without the followers that have not been caught up for more than {@code lagMaxMs}, or null when none
     * is that late (or a proposal is pending).
     */
    public List<Integer> shrinkProposal(long nowMs, long lagMaxMs) {
        if (pendingIsr != null) {
            return null;
        }
        List<Integer> next = new ArrayList<>(info.isr().size());
        for (int r : info.isr()) {
            Follower f = followers.get(r);
            if (r == leaderId || f == null || nowMs - f.lastCaughtUpMs <= lagMaxMs) {
                next.add(r);
            }
        }
        return next.size() == info.isr().size() ? null : next;
    }

    /** Names the followers {@link #shrinkProposal} drops, with how long each has been behind, for the log line. */
    public String lagging(long nowMs, long lagMaxMs) {
        StringBuilder sb = new StringBuilder();
        for (int r : info.isr()) {
            Follower f = followers.get(r);
            if (r != leaderId && f != null && nowMs - f.lastCaughtUpMs > lagMaxMs) {
                sb.append(sb.length() == 0 ? "" : ", ").append("broker ").append(r).append(" (log end ")
                    .append(f.logEndOffset).append(", caught up ").append(nowMs - f.lastCaughtUpMs).append(" ms ago)");
            }
        }
        return sb.toString();
    }

    /**
     * The ISR with {@code replicaId} added, when that follower may join: its log reaches the high watermark and the
     * start of this leader epoch (so it holds every record this leader may have committed); null otherwise.
     */
    public List<Integer> expandProposal(int replicaId, long highWatermark) {
        Follower f = followers.get(replicaId);
        if (pendingIsr != null || f == null || info.isr().contains(replicaId)) {
            return null;
        }
        if (f.logEndOffset == UNKNOWN || f.logEndOffset < highWatermark || f.logEndOffset < epochStartOffset) {
            return null;
        }
        List<Integer> next = new ArrayList<>(info.isr().size() + 1);
        for (int r : info.replicas()) {
            if (info.isr().contains(r) || r == replicaId) {
                next.add(r);
            }
        }
        return next;
    }
}
