package io.yak.coordinator.cluster;

import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every topic and the state of each of its partitions: the leadership/ISR piece of the cluster state. The one place
 * a partition's state is replaced ({@link #apply}), and therefore the one place every leadership and ISR change is
 * logged: at INFO, one line per partition, naming the cause; an unclean election at WARN.
 *
 * <p>Not thread-safe: owned by the thread that owns the {@link ClusterState}. The caller bumps the cluster epoch
 * once per event and passes the new value in, for the log lines.
 */
final class PartitionStates {
    private static final Logger LOG = LoggerFactory.getLogger(PartitionStates.class);

    /** One rule applied to every partition: returns the partition's next state (the same one for no change). */
    @FunctionalInterface
    interface Rule {
        PartitionState next(TopicEntry topic, int partition, PartitionState current);
    }

    /** By name; sorted so metadata lists topics in name order. */
    private final TreeMap<String, TopicEntry> topics = new TreeMap<>();
    private int totalPartitions;
    /** Told of every new topic and partition change once the coordinator records changes; null before. */
    private ChangeJournal journal;
    /** Changes counted for meters: written here, read from any thread. */
    private final LeadershipCounts counts = new LeadershipCounts();

    LeadershipCounts counts() {
        return counts;
    }

    void recordChangesIn(ChangeJournal journal) {
        this.journal = journal;
    }

    TopicEntry get(String name) {
        return topics.get(name);
    }

    boolean contains(String name) {
        return topics.containsKey(name);
    }

    /** Every topic in name order; unmodifiable view. */
    Collection<TopicEntry> all() {
        return Collections.unmodifiableCollection(topics.values());
    }

    int size() {
        return topics.size();
    }

    int totalPartitions() {
        return totalPartitions;
    }

    /**
     * Adds a topic (new or restored).
     *
     * @throws IllegalStateException when it exists already
     */
    void add(TopicEntry t) {
        if (topics.putIfAbsent(t.name, t) != null) {
            throw new IllegalStateException("topic " + t.name + " exists already");
        }
        totalPartitions += t.partitionCount();
        if (journal != null) {
            journal.topicAdded(t.name);
            counts.created(t, 0);
        }
    }

    /**
     * Replaces a topic by a changed one of the same name (grown, reconfigured), which the journal then records and
     * pushes whole.
     */
    void replace(TopicEntry t) {
        TopicEntry old = topics.put(t.name, t);
        if (old == null) {
            throw new IllegalStateException("topic " + t.name + " does not exist");
        }
        totalPartitions += t.partitionCount() - old.partitionCount();
        if (journal != null) {
            journal.topicAdded(t.name);
            counts.created(t, old.partitionCount());
        }
    }

    /**
     * Removes a topic (deleted); the caller has checked that it exists.
     *
     * @return the removed topic
     */
    TopicEntry remove(String name) {
        TopicEntry t = topics.remove(name);
        if (t == null) {
            throw new IllegalStateException("topic " + name + " does not exist");
        }
        totalPartitions -= t.partitionCount();
        if (journal != null) {
            journal.topicDeleted(name);
        }
        return t;
    }

    /**
     * Replaces partition {@code p}'s state with {@code next} and logs the change.
     *
     * @param why      the cause, for the log line ("broker 1 dead", "asked by leader 2")
     * @param unclean  an unclean election: logged at WARN, naming the possible data loss
     * @param newEpoch the cluster epoch the caller bumps to, for the log line
     * @return whether anything changed (false when {@code next} equals the current state)
     */
    boolean apply(TopicEntry t, int p, PartitionState next, String why, boolean unclean, long newEpoch) {
        PartitionState old = t.partition(p);
        if (next.equals(old)) {
            return false;
        }
        if (next.leaderEpoch() < old.leaderEpoch() || next.partitionEpoch() <= old.partitionEpoch()
                || !next.replicas().equals(old.replicas())) {
            throw new IllegalStateException("partition " + t.name + "-" + p + ": change " + old + " -> " + next
                + " (" + why + ") would reuse an epoch or move replicas");
        }
        t.set(p, next);
        if (journal != null) {
            journal.partitionChanged(t.name, p);
        }
        counts.count(old, next, unclean);
        if (unclean) {
            LOG.warn("partition {}-{} leader {} -> {}, leaderEpoch {}, isr {} (unclean election, {}: no in-sync "
                    + "replica {} can lead; records only they had are lost), partitionEpoch {}, epoch {}", t.name, p,
                name(old.leader()), name(next.leader()), next.leaderEpoch(), ids(next.isr()), why, ids(old.isr()),
                next.partitionEpoch(), newEpoch);
        } else if (old.leader() != next.leader() || old.leaderEpoch() != next.leaderEpoch()) {
            LOG.info("partition {}-{} leader {} -> {}, leaderEpoch {}, isr {} ({}), partitionEpoch {}, epoch {}",
                t.name, p, name(old.leader()), name(next.leader()), next.leaderEpoch(), ids(next.isr()), why,
                next.partitionEpoch(), newEpoch);
        } else {
            LOG.info("partition {}-{} isr {} -> {} ({}), partitionEpoch {}, epoch {}", t.name, p, ids(old.isr()),
                ids(next.isr()), why, next.partitionEpoch(), newEpoch);
        }
        if (!old.eligibleLeaders().equals(next.eligibleLeaders())) {
            LOG.info("partition {}-{} eligible leaders {} -> {} (isr {}), partitionEpoch {}, epoch {}", t.name, p,
                ids(old.eligibleLeaders()), ids(next.eligibleLeaders()), ids(next.isr()), next.partitionEpoch(),
                newEpoch);
        }
        return true;
    }

    /**
     * Applies {@code rule} to every partition, in topic and partition order.
     *
     * @return how many partitions changed
     */
    int applyToAll(Rule rule, String why, boolean unclean, long newEpoch) {
        int changed = 0;
        for (TopicEntry t : topics.values()) {
            for (int p = 0; p < t.partitionCount(); p++) {
                if (apply(t, p, rule.next(t, p, t.partition(p)), why, unclean, newEpoch)) {
                    changed++;
                }
            }
        }
        return changed;
    }

    /** Partitions led per broker id (brokers leading none are absent). */
    Map<Integer, Integer> leaderCounts() {
        Map<Integer, Integer> counts = new HashMap<>();
        for (TopicEntry t : topics.values()) {
            for (int p = 0; p < t.partitionCount(); p++) {
                PartitionState s = t.partition(p);
                if (s.online()) {
                    counts.merge(s.leader(), 1, Integer::sum);
                }
            }
        }
        return counts;
    }

    /** Partitions each broker holds a replica of (brokers holding none are absent). */
    Map<Integer, Integer> replicaCounts() {
        Map<Integer, Integer> counts = new HashMap<>();
        for (TopicEntry t : topics.values()) {
            for (int p = 0; p < t.partitionCount(); p++) {
                for (int r : t.partition(p).replicas()) {
                    counts.merge(r, 1, Integer::sum);
                }
            }
        }
        return counts;
    }

    /** A broker id for a log line: "none" for no leader. */
    static String name(int broker) {
        return broker < 0 ? "none" : Integer.toString(broker);
    }

    /** Broker ids as {@code [1,2,3]}. */
    static String ids(List<Integer> ids) {
        return ids.stream().map(String::valueOf).collect(Collectors.joining(",", "[", "]"));
    }
}
