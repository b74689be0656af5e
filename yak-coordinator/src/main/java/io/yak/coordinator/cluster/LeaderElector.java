package io.yak.coordinator.cluster;

import io.yak.wire.message.PartitionInfo;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides partition placement and leadership, and logs every leadership change at INFO. With one replica per
 * partition, leadership follows the replica's liveness: a dead broker's partitions go offline (leader -1, leader
 * epoch unchanged), and when the broker registers again it leads them again with the leader epoch bumped, so a
 * returning leader never reuses the epoch of its previous term. A live broker's partition that the broker reports
 * it cannot serve goes offline and comes back the same way, one partition at a time.
 *
 * <p>Stateless apart from its logger; called only by {@link ClusterState} on the thread that owns it. The caller
 * bumps the cluster epoch once per change and passes the new value in for the log lines.
 */
final class LeaderElector {
    private static final Logger LOG = LoggerFactory.getLogger(LeaderElector.class);

    /**
     * Chooses the broker of each partition of a new topic. Live brokers are ordered by the number of partitions
     * they lead now plus those they report they cannot serve (least-loaded first, ties by id) and partitions are
     * dealt round-robin over that order, so one topic is spread over all live brokers and, across topics, no live
     * broker holds more than one partition more than another (when that held before). A broker whose storage
     * fails is not preferred because its partitions show no leader.
     *
     * @param partitions  how many partitions the new topic has, at least 1
     * @param liveBrokers brokers alive now; not empty
     * @param topics      the existing topics, to count current leaders
     * @return the replica (and first leader) of each partition
     */
    int[] assign(int partitions, Collection<BrokerEntry> liveBrokers, Collection<TopicEntry> topics) {
        if (liveBrokers.isEmpty() || partitions < 1) {
            throw new IllegalStateException("cannot assign " + partitions + " partitions over "
                + liveBrokers.size() + " live brokers");
        }
        Map<Integer, Integer> load = new HashMap<>();
        for (BrokerEntry b : liveBrokers) {
            load.put(b.id, b.offline.size());
        }
        for (TopicEntry t : topics) {
            for (int leader : t.leaders) {
                load.computeIfPresent(leader, (id, n) -> n + 1);
            }
        }
        List<Integer> order = new ArrayList<>(load.keySet());
        order.sort(Comparator.<Integer>comparingInt(load::get).thenComparingInt(id -> id));
        int[] replicas = new int[partitions];
        for (int p = 0; p < partitions; p++) {
            replicas[p] = order.get(p % order.size());
        }
        return replicas;
    }

    /** Logs the leaders of a newly created topic (each partition's first leadership). */
    void topicCreated(TopicEntry topic, long epoch) {
        LOG.info("topic {} created with {} partitions, configs {}, leaders {} (leaderEpoch 0), epoch {}", topic.name,
            topic.partitionCount(), topic.configs, Arrays.toString(topic.leaders), epoch);
    }

    /**
     * Takes a dead broker's partitions offline.
     *
     * @param why how it died, for the log line of each partition ("dead", "shut down")
     * @return how many partitions lost their leader
     */
    int brokerDied(BrokerEntry broker, Collection<TopicEntry> topics, long epoch, String why) {
        int changed = 0;
        for (TopicEntry t : topics) {
            for (int p = 0; p < t.partitionCount(); p++) {
                if (t.leaders[p] == broker.id) {
                    t.leaders[p] = PartitionInfo.NO_LEADER;
                    changed++;
                    LOG.info("partition {}-{} leader {} -> none (broker {} {}), epoch {}", t.name, p, broker.id,
                        broker.id, why, epoch);
                }
            }
        }
        return changed;
    }

    /**
     * Takes a live broker's partition offline because the broker reports it cannot serve it (leader epoch
     * unchanged, as on a death).
     *
     * @return whether the partition lost its leader (false when it had none)
     */
    boolean brokerCannotServe(BrokerEntry broker, TopicEntry t, int p, long epoch) {
        if (t.leaders[p] != broker.id) {
            return false;
        }
        t.leaders[p] = PartitionInfo.NO_LEADER;
        LOG.info("partition {}-{} leader {} -> none (broker {} reports it cannot serve it; the reason is in that "
                + "broker's log), epoch {}",
            t.name, p, broker.id, broker.id, epoch);
        return true;
    }

    /**
     * Gives a live broker back the leadership of its partition that it no longer reports it cannot serve, with the
     * leader epoch bumped: a new term, as after a return.
     *
     * @return whether the partition got its leader back (false when it had one)
     */
    boolean brokerServesAgain(BrokerEntry broker, TopicEntry t, int p, long epoch) {
        if (t.leaders[p] != PartitionInfo.NO_LEADER || t.replicas[p] != broker.id) {
            return false;
        }
        t.leaders[p] = broker.id;
        t.leaderEpochs[p]++;
        LOG.info("partition {}-{} leader none -> {} (broker {} no longer reports it cannot serve it), leaderEpoch {}, "
            + "epoch {}", t.name, p, broker.id, broker.id, t.leaderEpochs[p], epoch);
        return true;
    }

    /**
     * Makes a (re-)registered broker the leader of every partition assigned to it, bumping each one's leader epoch:
     * after a restart or a death its log is a new term even when it led the partition before.
     *
     * @param reason why, for the log: "registered", "restarted"
     * @return how many partitions got a new leadership term
     */
    int brokerLeads(BrokerEntry broker, Collection<TopicEntry> topics, long epoch, String reason) {
        int changed = 0;
        for (TopicEntry t : topics) {
            for (int p = 0; p < t.partitionCount(); p++) {
                if (t.replicas[p] == broker.id) {
                    int old = t.leaders[p];
                    t.leaders[p] = broker.id;
                    t.leaderEpochs[p]++;
                    changed++;
                    LOG.info("partition {}-{} leader {} -> {} (broker {} {}), leaderEpoch {}, epoch {}", t.name, p,
                        old == PartitionInfo.NO_LEADER ? "none" : Integer.toString(old), broker.id, broker.id, reason,
                        t.leaderEpochs[p], epoch);
                }
            }
        }
        return changed;
    }
}
