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
 *   <li>{@code isr} is not empty, a subset of {@code replicas} and kept in replicas order (so equal sets are equal
 *       lists, and the state file and the metadata never depend on the order changes came in);</li>
 *   <li>{@code leader} is {@link PartitionInfo#NO_LEADER} (offline) or a member of {@code isr};</li>
 *   <li>both epochs are {@code >= 0}. They never decrease: every constructor use below increases or keeps them.</li>
 * </ul>
 *
 * @param replicas       the brokers holding a copy, fixed at creation
 * @param isr            the in-sync replicas: those a leader may be elected from without losing a committed record.
 *                       While the partition is offline the last ones stay listed (Kafka's KIP-966 "last replica
 *                       standing": only they may lead it again)
 * @param leader         the leading broker, or {@link PartitionInfo#NO_LEADER}
 * @param leaderEpoch    + 1 on every leader change (including to a broker that led it before)
 * @param partitionEpoch + 1 on every change of leader or ISR: the compare-and-set version of ALTER_ISR
 */
record PartitionState(List<Integer> replicas, List<Integer> isr, int leader, int leaderEpoch, int partitionEpoch) {
    PartitionState {
        replicas = List.copyOf(replicas);
        isr = List.copyOf(isr);
        String problem = CoordinatorSnapshot.Partition.problem(replicas, isr, leader, leaderEpoch, partitionEpoch);
        if (problem != null) {
            throw new IllegalStateException(problem);
        }
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

    boolean isReplica(int broker) {
        return replicas.contains(broker);
    }

    /** The preferred leader: the first replica. */
    int preferred() {
        return replicas.get(0);
    }

    /**
     * {@code newLeader} leads in a new term: leader epoch and partition epoch + 1. The ISR keeps the members that
     * {@code canServe} and the new leader (members that cannot serve leave it, as Kafka's controller drops dead
     * members when it elects).
     */
    PartitionState elect(int newLeader, IntPredicate canServe) {
        List<Integer> newIsr = new ArrayList<>(isr.size());
        for (int r : isr) {
            if (r == newLeader || canServe.test(r)) {
                newIsr.add(r);
            }
        }
        if (!newIsr.contains(newLeader)) {
            newIsr = inReplicaOrder(replicas, append(newIsr, newLeader));
        }
        return new PartitionState(replicas, newIsr, newLeader, leaderEpoch + 1, partitionEpoch + 1);
    }

    /** Unclean election: {@code newLeader} leads alone (the ISR is only it). */
    PartitionState electUnclean(int newLeader) {
        return new PartitionState(replicas, List.of(newLeader), newLeader, leaderEpoch + 1, partitionEpoch + 1);
    }

    /** No leader; the ISR and the leader epoch stay, the partition epoch + 1. */
    PartitionState offline() {
        return new PartitionState(replicas, isr, PartitionInfo.NO_LEADER, leaderEpoch, partitionEpoch + 1);
    }

    /** The same leader with another ISR (given in any order): partition epoch + 1. */
    PartitionState withIsr(List<Integer> newIsr) {
        return new PartitionState(replicas, inReplicaOrder(replicas, newIsr), leader, leaderEpoch,
            partitionEpoch + 1);
    }

    /** The ISR without {@code broker}. */
    List<Integer> isrWithout(int broker) {
        List<Integer> out = new ArrayList<>(isr);
        out.remove(Integer.valueOf(broker));
        return out;
    }

    PartitionInfo toInfo(int partition) {
        return new PartitionInfo(partition, leader, leaderEpoch, partitionEpoch, replicas, isr);
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

    private static List<Integer> append(List<Integer> list, int element) {
        List<Integer> out = new ArrayList<>(list);
        out.add(element);
        return out;
    }
}
