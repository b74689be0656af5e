package io.yak.coordinator.cluster;

import io.yak.wire.message.PartitionRef;
import java.util.Map;
import java.util.function.IntPredicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster state's invariants across its pieces (brokers, partitions, what brokers report), which no piece can
 * check alone; the {@link ClusterState} asserts them after every epoch bump (tests run with {@code -ea}). Reads only;
 * the first broken invariant is logged at ERROR with its values. Not thread-safe: owned by the thread that owns the
 * {@link ClusterState}.
 */
final class ClusterInvariants {
    /** Logged under ClusterState's name, as it always was: operators' log filters keep working. */
    private static final Logger LOG = LoggerFactory.getLogger(ClusterState.class);

    private final BrokerRegistry brokers;
    private final PartitionStates partitions;
    private final ReplicationSettings replication;
    /** Whose {@link ReplicationControl#canServe} the election rules used, so the check asks the same question. */
    private final ReplicationControl control;

    ClusterInvariants(BrokerRegistry brokers, PartitionStates partitions, ReplicationSettings replication,
                      ReplicationControl control) {
        this.brokers = brokers;
        this.partitions = partitions;
        this.replication = replication;
        this.control = control;
    }

    /**
     * Across brokers and partitions (each partition's own invariants hold by construction, see {@link
     * PartitionState}): every replica is a known broker and each broker's replica count is the number of partitions
     * it holds a replica of (so one is forgotten only when it holds none); a led partition's leader and ISR members
     * are alive and do not report it; an offline partition has no ISR member that could lead it (else the election
     * rules missed it), nor, with unclean election on, any replica that could; a broker reports only partitions it
     * holds a replica of, and only while alive.
     */
    boolean hold() {
        Map<Integer, Integer> replicaCounts = partitions.replicaCounts();
        for (TopicEntry t : partitions.all()) {
            for (int p = 0; p < t.partitionCount(); p++) {
                PartitionState s = t.partition(p);
                IntPredicate can = control.canServe(t, p);
                for (int r : s.replicas()) {
                    if (brokers.get(r) == null) {
                        LOG.error("partition {}-{} has a replica on broker {}, which is not known", t.name, p, r);
                        return false;
                    }
                }
                PartitionRef ref = new PartitionRef(t.name, p);
                for (int r : s.isr()) {
                    BrokerEntry b = brokers.get(r);
                    boolean serving = b.alive && !b.offline.contains(ref);
                    if (s.online() && !serving || !s.online() && can.test(r)) {
                        LOG.error("partition {}-{} {}: isr member {} alive {} reports offline {}", t.name, p, s, r,
                            b.alive, b.offline);
                        return false;
                    }
                }
                for (int r : s.eligibleLeaders()) {
                    if (!s.online() && can.test(r)) {
                        LOG.error("partition {}-{} {} offline with eligible leader {} that can lead", t.name, p, s, r);
                        return false;
                    }
                }
                if (!s.online() && replication.uncleanLeaderElectionEnable()
                        && s.replicas().stream().anyMatch(can::test)) {
                    LOG.error("partition {}-{} {} offline with a replica that can lead and unclean election on",
                        t.name, p, s);
                    return false;
                }
            }
        }
        for (BrokerEntry b : brokers.all()) {
            if (b.replicaCount != replicaCounts.getOrDefault(b.id, 0)) {
                LOG.error("broker {} counts {} partitions, holds {}", b.id, b.replicaCount,
                    replicaCounts.getOrDefault(b.id, 0));
                return false;
            }
            for (PartitionRef ref : b.offline) {
                TopicEntry t = partitions.get(ref.topic());
                if (!b.alive || t == null || !t.partition(ref.partition()).isReplica(b.id)) {
                    LOG.error("broker {} (alive {}) reports offline {}, not one of its partitions", b.id, b.alive, ref);
                    return false;
                }
            }
        }
        return true;
    }
}
