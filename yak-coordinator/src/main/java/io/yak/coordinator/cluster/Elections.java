package io.yak.coordinator.cluster;

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
     * ISR and can serve leads instead and {@code b} leaves the ISR; with none, the partition goes offline with its
     * ISR unchanged ({@code b} stays: the last replica standing is the only one that may lead it again without
     * losing records). A follower in the ISR of a led partition leaves the ISR. An offline partition keeps its ISR.
     * {@code b} is never elected, whatever {@code canServe} says of it (a new incarnation is alive when its
     * predecessor ends).
     */
    static PartitionState withoutBroker(PartitionState p, int b, IntPredicate canServe) {
        if (!p.inIsr(b)) {
            return p;
        }
        if (p.leader() == b) {
            for (int r : p.replicas()) {
                if (r != b && p.inIsr(r) && canServe.test(r)) {
                    return p.elect(r, id -> id != b && canServe.test(id));
                }
            }
            return p.offline();
        }
        if (p.online()) {
            return p.withIsr(p.isrWithout(b));
        }
        return p;
    }

    /**
     * Clean election of an offline partition: the first replica that is in the ISR and can serve leads (broker
     * {@code b} registered, returned or no longer reports the partition). ISR members that cannot serve leave the
     * ISR with the election. Nothing when the partition has a leader or no ISR member can serve.
     */
    static PartitionState electFromIsr(PartitionState p, IntPredicate canServe) {
        if (p.online()) {
            return p;
        }
        for (int r : p.replicas()) {
            if (p.inIsr(r) && canServe.test(r)) {
                return p.elect(r, canServe);
            }
        }
        return p;
    }

    /**
     * Unclean election ({@code unclean.leader.election.enable}): an offline partition none of whose ISR members can
     * serve is led by the first replica that can, alone in the ISR. Records only the lost ISR members had are lost.
     * Nothing when the partition has a leader, an ISR member can serve (a clean election is due instead) or no
     * replica can serve.
     */
    static PartitionState electUnclean(PartitionState p, IntPredicate canServe) {
        if (p.online()) {
            return p;
        }
        for (int r : p.isr()) {
            if (canServe.test(r)) {
                return p;
            }
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
    static PartitionState electPreferred(PartitionState p, IntPredicate canServe) {
        int preferred = p.preferred();
        if (p.leader() == preferred || !p.inIsr(preferred) || !canServe.test(preferred)) {
            return p;
        }
        return p.elect(preferred, canServe);
    }
}
