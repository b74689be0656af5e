package io.yak.coordinator.cluster;

import io.yak.wire.ErrorCode;
import io.yak.wire.message.AlterIsrPartition;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.IntPredicate;

/**
 * Decides one partition of an ALTER_ISR_REQUEST, as a pure function: a leader asks to change the ISR of a partition
 * it leads, compare-and-set on the partition epoch. The checks, in order (the first failing one answers):
 * the asking broker leads it ({@code NOT_LEADER}); it names the current leader epoch ({@code FENCED_LEADER_EPOCH})
 * and partition epoch ({@code INVALID_UPDATE_VERSION}); the new ISR is distinct replicas including the leader
 * ({@code INVALID_REQUEST}); every member it adds can serve the partition now: alive and not reporting it offline
 * ({@code INELIGIBLE_REPLICA}). Unknown topics and partitions are answered by the caller.
 */
final class IsrChanges {
    private IsrChanges() {
    }

    /**
     * The outcome for one partition.
     *
     * @param error NONE or why nothing changed
     * @param state the state after the request: the new one on NONE (the same instance when the ISR asked for is
     *              the current one: nothing to change), the current one otherwise
     */
    record Decision(ErrorCode error, PartitionState state) {
    }

    /**
     * @param leaderId the asking broker (its broker epoch is checked by the caller, once per request)
     * @param canServe whether a broker could join the ISR now: alive, and not reporting the partition offline
     * @param minIsr   the partition's {@code min.insync.replicas}, capped at its replica count: members that leave an
     *                 ISR left below it become eligible leaders
     */
    static Decision decide(PartitionState current, int leaderId, AlterIsrPartition asked, IntPredicate canServe,
                           int minIsr) {
        if (current.leader() != leaderId) {
            return new Decision(ErrorCode.NOT_LEADER, current);
        }
        if (asked.leaderEpoch() != current.leaderEpoch()) {
            return new Decision(ErrorCode.FENCED_LEADER_EPOCH, current);
        }
        if (asked.partitionEpoch() != current.partitionEpoch()) {
            return new Decision(ErrorCode.INVALID_UPDATE_VERSION, current);
        }
        List<Integer> isr = asked.isr();
        if (!validIsr(current, leaderId, isr)) {
            return new Decision(ErrorCode.INVALID_REQUEST, current);
        }
        for (int member : isr) {
            if (!current.inIsr(member) && !canServe.test(member)) {
                return new Decision(ErrorCode.INELIGIBLE_REPLICA, current);
            }
        }
        List<Integer> ordered = PartitionState.inReplicaOrder(current.replicas(), isr);
        if (ordered.equals(current.isr())) {
            return new Decision(ErrorCode.NONE, current);
        }
        return new Decision(ErrorCode.NONE, current.withIsr(ordered, minIsr));
    }

    /** Distinct replicas of the partition, the leader among them. */
    private static boolean validIsr(PartitionState current, int leaderId, List<Integer> isr) {
        Set<Integer> seen = new HashSet<>();
        for (int member : isr) {
            if (!seen.add(member) || !current.isReplica(member)) {
                return false;
            }
        }
        return seen.contains(leaderId);
    }
}
