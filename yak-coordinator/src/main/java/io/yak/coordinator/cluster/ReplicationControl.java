package io.yak.coordinator.cluster;

import io.yak.wire.ErrorCode;
import io.yak.wire.config.TopicConfigs;
import io.yak.wire.message.AlterIsrPartition;
import io.yak.wire.message.AlterIsrResult;
import io.yak.wire.message.PartitionInfo;
import io.yak.wire.message.PartitionRef;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntPredicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Partition leadership and ISRs across the cluster, as Kafka's ReplicationControlManager: applies the pure rules of
 * {@link Elections} and {@link IsrChanges} to the partitions an event touches, through {@link PartitionStates} (which
 * logs each change), knowing from the {@link BrokerRegistry} who can serve what. It owns the two facts every rule is
 * asked about: whether a broker can serve a partition now ({@link #canServe}) and the partition's {@code
 * min.insync.replicas} ({@link #minIsr}). The rules are STATE.md's "Leadership" table.
 *
 * <p>It never bumps the cluster epoch: each method takes the epoch its caller, the {@link ClusterState}, bumps to
 * when anything changed (for the log lines), and says what changed. Not thread-safe: owned by the thread that owns
 * the {@link ClusterState}.
 */
final class ReplicationControl {
    /** Logged under ClusterState's name, as it always was: operators' log filters keep working. */
    private static final Logger LOG = LoggerFactory.getLogger(ClusterState.class);

    private final BrokerRegistry brokers;
    private final PartitionStates partitions;
    private final ReplicationSettings replication;

    ReplicationControl(BrokerRegistry brokers, PartitionStates partitions, ReplicationSettings replication) {
        this.brokers = brokers;
        this.partitions = partitions;
        this.replication = replication;
    }

    /**
     * Whether a broker could lead partition p of t now, or join its ISR: alive, its list of partitions it cannot
     * serve known (not a broker restored from the state file before its first heartbeat) and without this one.
     */
    IntPredicate canServe(TopicEntry t, int p) {
        return id -> {
            BrokerEntry b = brokers.get(id);
            return b != null && b.alive && b.reportKnown
                && (b.offline.isEmpty() || !b.offline.contains(new PartitionRef(t.name, p)));
        };
    }

    /**
     * The broker-death rule for broker {@code b} on every partition (it died, shut down, or its incarnation ended:
     * then it is still alive, and the rule itself never elects it).
     *
     * @return how many partitions changed
     */
    int brokerGone(BrokerEntry b, String why, long newEpoch) {
        return partitions.applyToAll((t, p, s) -> Elections.withoutBroker(s, b.id, canServe(t, p), minIsr(t, p)),
            why, false, newEpoch);
    }

    /**
     * Clean elections of the offline partitions that have broker {@code b} in their ISR or eligible leaders, now
     * that it can serve.
     *
     * @return how many partitions got a leader
     */
    int electWhereInIsr(BrokerEntry b, String why, long newEpoch) {
        return partitions.applyToAll((t, p, s) -> s.online() || !s.inIsr(b.id) && !s.isEligibleLeader(b.id) ? s
            : Elections.electFromIsr(s, canServe(t, p), minIsr(t, p)), why, false, newEpoch);
    }

    /**
     * A new incarnation of {@code b} that registered after an unclean shutdown stops being a candidate of the
     * offline partitions that have another one (see {@link Elections#withoutUncleanReplica}); then those partitions
     * are elected again, as its leaving may leave an eligible leader that can serve first in line.
     *
     * @return how many partitions changed
     */
    int withoutUncleanReplica(BrokerEntry b, long newEpoch) {
        String why = "broker " + b.id + " registered after an unclean shutdown: records it had not flushed may be "
            + "gone, so another in-sync or eligible replica leads";
        int changed = partitions.applyToAll((t, p, s) -> Elections.withoutUncleanReplica(s, b.id), why, false,
            newEpoch);
        if (changed > 0) {
            changed += partitions.applyToAll((t, p, s) -> Elections.electFromIsr(s, canServe(t, p), minIsr(t, p)),
                why, false, newEpoch);
        }
        for (TopicEntry t : partitions.all()) {
            for (int p = 0; p < t.partitionCount(); p++) {
                PartitionState s = t.partition(p);
                if (!s.online() && (s.inIsr(b.id) || s.isEligibleLeader(b.id))
                        && s.isr().size() + s.eligibleLeaders().size() == 1) {
                    LOG.warn("partition {}-{}: broker {} registered after an unclean shutdown and is its only "
                        + "candidate left; it may lead again, and records it lost from its unflushed tail are lost",
                        t.name, p, b.id);
                }
            }
        }
        return changed;
    }

    /**
     * Partition p's {@code min.insync.replicas}: the topic's config, else the cluster's, capped at its replica
     * count as leaders cap it (so the eligible-leader rule and the leaders' high watermark rule agree).
     */
    int minIsr(TopicEntry t, int p) {
        long configured = t.longConfig(TopicConfigs.MIN_INSYNC_REPLICAS, replication.minInsyncReplicas());
        return (int) Math.min(configured, t.partition(p).replicas().size());
    }

    /**
     * With {@code unclean.leader.election.enable}, gives every offline partition none of whose ISR members can serve
     * to the first replica that can (WARN: records only the ISR had are lost). Runs after every change of who can
     * serve what.
     *
     * @return how many partitions got a leader
     */
    int electUncleanIfEnabled(long newEpoch) {
        if (!replication.uncleanLeaderElectionEnable()) {
            return 0;
        }
        return partitions.applyToAll((t, p, s) -> Elections.electUnclean(s, canServe(t, p)),
            "unclean.leader.election.enable", true, newEpoch);
    }

    /**
     * A change in broker {@code b}'s heartbeat list ({@link OfflineReports}): the broker-death rule for each newly
     * listed partition, for that partition only; a clean election of each partition no longer listed whose ISR or
     * eligible leaders have {@code b}.
     *
     * @return how many partitions changed
     */
    int reportChanged(BrokerEntry b, OfflineReports.Change change, long newEpoch) {
        int changed = 0;
        for (PartitionRef ref : change.listed()) {
            TopicEntry t = partitions.get(ref.topic());
            int p = ref.partition();
            if (partitions.apply(t, p, Elections.withoutBroker(t.partition(p), b.id, canServe(t, p), minIsr(t, p)),
                    "broker " + b.id + " reports it cannot serve it; the reason is in that broker's log", false,
                    newEpoch)) {
                changed++;
            }
        }
        for (PartitionRef ref : change.unlisted()) {
            TopicEntry t = partitions.get(ref.topic());
            int p = ref.partition();
            PartitionState s = t.partition(p);
            if ((s.inIsr(b.id) || s.isEligibleLeader(b.id))
                    && partitions.apply(t, p, Elections.electFromIsr(s, canServe(t, p), minIsr(t, p)),
                    "broker " + b.id + " no longer reports it cannot serve it", false, newEpoch)) {
                changed++;
            }
        }
        return changed;
    }

    /**
     * Preferred leader elections of every partition (see {@link ClusterState#electPreferredLeaders}).
     *
     * @return how many leaders moved
     */
    int electPreferredLeaders(long newEpoch) {
        return partitions.applyToAll((t, p, s) -> Elections.electPreferred(s, canServe(t, p), minIsr(t, p)),
            "preferred replica back in sync", false, newEpoch);
    }

    /**
     * Decides and applies an ALTER_ISR_REQUEST, as {@link ClusterState#alterIsr} documents; the caller bumps the
     * epoch when the outcome says it changed.
     */
    AlterIsrOutcome alterIsr(int brokerId, long brokerEpoch, List<AlterIsrPartition> asked, long newEpoch) {
        BrokerEntry b = brokers.get(brokerId);
        if (b == null || !b.alive) {
            return new AlterIsrOutcome(ErrorCode.UNKNOWN_BROKER, List.of(), false);
        }
        if (b.brokerEpoch != brokerEpoch) {
            return new AlterIsrOutcome(ErrorCode.STALE_BROKER_EPOCH, List.of(), false);
        }
        List<AlterIsrResult> results = new ArrayList<>(asked.size());
        boolean changed = false;
        for (AlterIsrPartition a : asked) {
            TopicEntry t = partitions.get(a.topic());
            if (t == null || a.partition() < 0 || a.partition() >= t.partitionCount()) {
                results.add(new AlterIsrResult(a.topic(), a.partition(), t == null ? ErrorCode.UNKNOWN_TOPIC
                    : ErrorCode.UNKNOWN_PARTITION, PartitionInfo.NO_LEADER, -1, -1, List.of()));
                continue;
            }
            int p = a.partition();
            IsrChanges.Decision d = IsrChanges.decide(t.partition(p), brokerId, a, canServe(t, p),
                minIsr(t, p));
            if (d.error() == ErrorCode.NONE) {
                changed |= partitions.apply(t, p, d.state(), "asked by leader " + brokerId, false, newEpoch);
            }
            PartitionState s = d.state();
            results.add(new AlterIsrResult(a.topic(), p, d.error(), s.leader(), s.leaderEpoch(), s.partitionEpoch(),
                s.isr()));
        }
        return new AlterIsrOutcome(ErrorCode.NONE, results, changed);
    }
}
