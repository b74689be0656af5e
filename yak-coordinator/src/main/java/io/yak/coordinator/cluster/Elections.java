package io.yak.coordinator.cluster;

import io.yak.wire.message.PartitionInfo;
import java.util.function.IntPredicate;

/**
 * The leadership rules, as pure functions: each takes a partition's state and what the coordinator knows about its
 * replicas now, and returns the state after the rule (the same instance when the rule changes nothing). They neither
 * log nor touch anything else; {@link PartitionStates} applies and logs what they return. The rules are the table
 * of {@code STATE.md}, "Leadership".
 *
 * <p>{@code canServe} tells whether a broker could lead this partition now: it is alive and does not report the
 * partition as one it cannot serve. It is asked only about replicas of the partition.
 */
final class Elections {
    private Elections() {
    }

    /**
     * Broker {@code b} can no longer serve the partition: it died, shut down, registered as a new incarnation, or
     * reports it cannot serve this partition. When it leads, the first replica (in replicas order) that is in the
     * ISR and can serve leads instead, else the first eligible leader that can, and {@code b} leaves the ISR; with
     * neither, the partition goes offline with its ISR unchanged ({@code b} stays: the last replica standing is
     * the only one that may lead it again without losing records). A follower in the ISR of a led partition leaves
     * the ISR. An offline partition keeps its ISR. {@code b} is never elected, whatever {@code canServe} says of it
     * (a new incarnation is alive when its predecessor ends).
     *
     * @param minIsr the partition's {@code min.insync.replicas}, capped at its replica count
     */
    static PartitionState withoutBroker(PartitionState p, int b, IntPredicate canServe, int minIsr) {
        if (!p.inIsr(b)) {
            return p;
        }
        if (p.leader() == b) {
            IntPredicate others = id -> id != b && canServe.test(id);
            int successor = candidate(p, others);
            return successor == PartitionInfo.NO_LEADER ? p.offline() : p.elect(successor, others, minIsr);
        }
        if (p.online()) {
            return p.withIsr(p.isrWithout(b), minIsr);
        }
        return p;
    }

    /**
     * Clean election of an offline partition: the first replica that is in the ISR and can serve leads, else the
     * first eligible leader that can. ISR members that cannot serve leave the ISR with the election. Nothing when
     * the partition has a leader or no candidate can serve.
     */
    static PartitionState electFromIsr(PartitionState p, IntPredicate canServe, int minIsr) {
        if (p.online()) {
            return p;
        }
        int leader = candidate(p, canServe);
        return leader == PartitionInfo.NO_LEADER ? p : p.elect(leader, canServe, minIsr);
    }

    /**
     * A new incarnation of {@code b} registered after an unclean shutdown, so its log may have lost an unflushed
     * tail: it stops being a candidate (ISR member of an offline partition, or eligible leader) when another
     * candidate remains, which then holds every committed record b may have lost. A led partition always has one,
     * its leader. When b is the only candidate left it stays (nothing better is known: Kafka's "last known leader").
     */
    static PartitionState withoutUncleanReplica(PartitionState p, int b) {
        if (!p.inIsr(b) && !p.isEligibleLeader(b) || p.isr().size() + p.eligibleLeaders().size() == 1) {
            return p;
        }
        return p.withoutCandidate(b);
    }

    /** The first ISR member that {@code canServe}, else the first eligible leader that can, else NO_LEADER. */
    private static int candidate(PartitionState p, IntPredicate canServe) {
        for (int r : p.isr()) {
            if (canServe.test(r)) {
                return r;
            }
        }
        for (int r : p.eligibleLeaders()) {
            if (canServe.test(r)) {
                return r;
            }
        }
        return PartitionInfo.NO_LEADER;
    }

    /**
     * Unclean election ({@code unclean.leader.election.enable}): an offline partition none of whose ISR members or
     * eligible leaders can serve is led by the first replica that can, alone in the ISR. Records only the lost ISR
     * members had are lost. Nothing when the partition has a leader, a candidate can serve (a clean election is due
     * instead) or no replica can serve.
     */
    static PartitionState electUnclean(PartitionState p, IntPredicate canServe) {
        if (p.online() || candidate(p, canServe) != PartitionInfo.NO_LEADER) {
            return p;
        }
        for (int r : p.replicas()) {
            if (canServe.test(r)) {
                return p.electUnclean(r);
            }
        }
        return p;
    }

    /**
     * Preferred leader election (Kafka's {@code auto.leader.rebalance.enable}): when the preferred replica (the
     * first) is in the ISR, can serve and does not lead, it leads. The ISR is unchanged. A preferred replica outside
     * the ISR must first be added by the leader (ALTER_ISR) once it caught up.
     */
    static PartitionState electPreferred(PartitionState p, IntPredicate canServe, int minIsr) {
        int preferred = p.preferred();
        if (p.leader() == preferred || !p.inIsr(preferred) || !canServe.test(preferred)) {
            return p;
        }
        return p.elect(preferred, canServe, minIsr);
    }
}
