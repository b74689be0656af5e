package io.yak.coordinator.cluster;

import io.yak.coordinator.store.CoordinatorSnapshot;
import io.yak.wire.message.PartitionInfo;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.IntPredicate;

/**
 * One partition's replication state as the coordinator decides it: an immutable value, replaced whole by every
 * change (see {@link Elections} and {@link IsrChanges}), never edited field by field.
 *
 * <p>Invariants, checked by the constructor (a violation is a bug: {@link IllegalStateException}) with the check
 * the state file's reading uses ({@link CoordinatorSnapshot.Partition#problem}):
 * <ul>
 *   <li>{@code replicas} is not empty and distinct; its first element is the preferred leader;</li>
 *   <li>{@code isr} and {@code eligibleLeaders} are disjoint subsets of {@code replicas}, kept in replicas order (so
 *       equal sets are equal lists, and the state file and the metadata never depend on the order changes came
 *       in), not both empty; {@code isr} is empty only while offline;</li>
 *   <li>{@code leader} is {@link PartitionInfo#NO_LEADER} (offline) or a member of {@code isr};</li>
 *   <li>both epochs are {@code >= 0}. They never decrease: every constructor use below increases or keeps them.</li>
 * </ul>
 *
 * <p>The transitions that change the ISR take the partition's {@code min.insync.replicas} ({@code minIsr}, already
 * capped at the replica count) and keep the eligible leaders by one rule (STATE.md, "Eligible leader replicas"):
 * members that leave an ISR which ends up below {@code minIsr} become eligible leaders; an ISR of at least
 * {@code minIsr} members clears them; an ISR member is never one.
 *
 * @param replicas        the brokers holding a copy, fixed at creation
 * @param isr             the in-sync replicas: those a leader may be elected from without losing a committed record.
 *                        While the partition is offline the last ones stay listed (Kafka's KIP-966 "last replica
 *                        standing": only they, or eligible leaders, may lead it again)
 * @param leader          the leading broker, or {@link PartitionInfo#NO_LEADER}
 * @param leaderEpoch     + 1 on every leader change (including to a broker that led it before)
 * @param partitionEpoch  + 1 on every change of leader, ISR or eligible leaders: the compare-and-set version of
 *                        ALTER_ISR
 * @param eligibleLeaders replicas outside the ISR that hold every committed record: they left the ISR while it was
 *                        below {@code min.insync.replicas}, so the high watermark has not moved since (KIP-966 ELR)
 */
record PartitionState(List<Integer> replicas, List<Integer> isr, int leader, int leaderEpoch, int partitionEpoch,
                      List<Integer> eligibleLeaders) {
    PartitionState {
        replicas = List.copyOf(replicas);
        isr = List.copyOf(isr);
        eligibleLeaders = List.copyOf(eligibleLeaders);
        String problem = CoordinatorSnapshot.Partition.problem(replicas, isr, leader, leaderEpoch, partitionEpoch,
            eligibleLeaders);
        if (problem != null) {
            throw new IllegalStateException(problem);
        }
    }

    /** A state without eligible leaders. */
    PartitionState(List<Integer> replicas, List<Integer> isr, int leader, int leaderEpoch, int partitionEpoch) {
        this(replicas, isr, leader, leaderEpoch, partitionEpoch, List.of());
    }

    /** A new partition: every replica in sync, the first one (the preferred replica) leads, both epochs 0. */
    static PartitionState initial(List<Integer> replicas) {
        return new PartitionState(replicas, replicas, replicas.get(0), 0, 0);
    }

    boolean online() {
        return leader != PartitionInfo.NO_LEADER;
    }

    boolean inIsr(int broker) {
        return isr.contains(broker);
    }

    boolean isEligibleLeader(int broker) {
        return eligibleLeaders.contains(broker);
    }

    boolean isReplica(int broker) {
        return replicas.contains(broker);
    }

    /** The preferred leader: the first replica. */
    int preferred() {
        return replicas.get(0);
    }

    /**
     * {@code newLeader} (an ISR member or an eligible leader) leads in a new term: leader epoch and partition epoch
     * + 1. The ISR keeps the members that {@code canServe} and the new leader (members that cannot serve leave it, as
     * Kafka's controller drops dead members when it elects).
     */
    PartitionState elect(int newLeader, IntPredicate canServe, int minIsr) {
        List<Integer> newIsr = new ArrayList<>(isr.size() + 1);
        for (int r : replicas) {
            if (r == newLeader || inIsr(r) && canServe.test(r)) {
                newIsr.add(r);
            }
        }
        return next(newIsr, newLeader, leaderEpoch + 1, minIsr);
    }

    /** Unclean election: {@code newLeader} leads alone (the ISR is only it); nothing else is known to be safe. */
    PartitionState electUnclean(int newLeader) {
        return new PartitionState(replicas, List.of(newLeader), newLeader, leaderEpoch + 1, partitionEpoch + 1);
    }

    /** No leader; the ISR, the eligible leaders and the leader epoch stay, the partition epoch + 1. */
    PartitionState offline() {
        return new PartitionState(replicas, isr, PartitionInfo.NO_LEADER, leaderEpoch, partitionEpoch + 1,
            eligibleLeaders);
    }

    /** The same leader with another ISR (given in any order): partition epoch + 1. */
    PartitionState withIsr(List<Integer> newIsr, int minIsr) {
        return next(inReplicaOrder(replicas, newIsr), leader, leaderEpoch, minIsr);
    }

    /**
     * Without {@code broker} as a candidate, because it may have lost records (an unclean shutdown): out of the
     * eligible leaders, and out of the ISR of an offline partition (a new incarnation is in no led partition's ISR:
     * its predecessor's end removed it). Partition epoch + 1. It does not become an eligible leader.
     */
    PartitionState withoutCandidate(int broker) {
        List<Integer> newIsr = new ArrayList<>(isr);
        newIsr.remove(Integer.valueOf(broker));
        List<Integer> newEligible = new ArrayList<>(eligibleLeaders);
        newEligible.remove(Integer.valueOf(broker));
        return new PartitionState(replicas, newIsr, leader, leaderEpoch, partitionEpoch + 1, newEligible);
    }

    /** The ISR without {@code broker}. */
    List<Integer> isrWithout(int broker) {
        List<Integer> out = new ArrayList<>(isr);
        out.remove(Integer.valueOf(broker));
        return out;
    }

    /** The state as the state file and the change log store it. */
    CoordinatorSnapshot.Partition toStored() {
        return new CoordinatorSnapshot.Partition(replicas, isr, leader, leaderEpoch, partitionEpoch, eligibleLeaders);
    }

    PartitionInfo toInfo(int partition) {
        return new PartitionInfo(partition, leader, leaderEpoch, partitionEpoch, replicas, isr, eligibleLeaders);
    }

    /**
     * The state with {@code newIsr} (in replicas order) and the eligible leaders the rule gives: those that leave
     * the ISR join them while the new ISR is below {@code minIsr}; an ISR of at least {@code minIsr} clears them.
     */
    private PartitionState next(List<Integer> newIsr, int newLeader, int newLeaderEpoch, int minIsr) {
        List<Integer> newEligible = new ArrayList<>();
        if (newIsr.size() < minIsr) {
            for (int r : replicas) {
                if (!newIsr.contains(r) && (inIsr(r) || isEligibleLeader(r))) {
                    newEligible.add(r);
                }
            }
        }
        return new PartitionState(replicas, newIsr, newLeader, newLeaderEpoch, partitionEpoch + 1, newEligible);
    }

    /** {@code members} in replicas order, or null when they are not distinct replicas. */
    static List<Integer> inReplicaOrder(List<Integer> replicas, List<Integer> members) {
        Set<Integer> wanted = new HashSet<>(members);
        List<Integer> out = new ArrayList<>(members.size());
        for (int r : replicas) {
            if (wanted.contains(r)) {
                out.add(r);
            }
        }
        return out.size() == members.size() ? out : null;
    }
}
