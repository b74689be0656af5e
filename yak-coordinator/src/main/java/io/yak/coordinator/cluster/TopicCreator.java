package io.yak.coordinator.cluster;

import io.yak.wire.ErrorCode;
import io.yak.wire.config.TopicConfigs;
import io.yak.wire.config.TopicNames;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creating topics: the checks a new topic passes (name, partition count, replication factor, configs, existence,
 * cluster limits, brokers that may receive it), its placement by {@link ReplicaPlacement} on those brokers, and
 * METADATA's resolution of topic names with auto-creation (its refusal WARN rate-limited here). STATE.md, "Brokers",
 * "Placement". The contracts are those of {@link ClusterState#createTopic(String, int, int, Map, long)},
 * {@link ClusterState#validateNewTopic(String, int, int, Map, long)} and {@link ClusterState#lookupTopics}.
 *
 * <p>It never bumps the cluster epoch: each change takes the epoch its caller, the {@link ClusterState}, bumps to
 * when a topic was created. Not thread-safe: owned by the thread that owns the {@link ClusterState}; time is passed
 * in as {@code nowMs}.
 */
final class TopicCreator {
    /** Auto-creation refused for its replication factor is logged at WARN at most this often. */
    static final long AUTO_CREATE_WARN_INTERVAL_MS = 30_000;

    /** Logged under ClusterState's name, as it always was: operators' log filters keep working. */
    private static final Logger LOG = LoggerFactory.getLogger(ClusterState.class);

    private final int numPartitions;
    private final boolean autoCreateTopics;
    private final ReplicationSettings replication;
    private final BrokerRegistry brokers;
    private final PartitionStates partitions;

    /** When an auto-creation refused for its replication factor was last logged at WARN. */
    private long autoCreateWarnedMs = Long.MIN_VALUE;

    /**
     * @param numPartitions    partitions of an automatically created topic, or of a CREATE_TOPIC with -1
     * @param autoCreateTopics whether METADATA with autoCreate may create topics
     */
    TopicCreator(int numPartitions, boolean autoCreateTopics, ReplicationSettings replication,
                 BrokerRegistry brokers, PartitionStates partitions) {
        this.numPartitions = numPartitions;
        this.autoCreateTopics = autoCreateTopics;
        this.replication = replication;
        this.brokers = brokers;
        this.partitions = partitions;
    }

    /**
     * Creates the topic when {@link #validateNewTopic} passes it.
     *
     * @return NONE when it was created (the caller bumps the epoch to {@code newEpoch}), else why not
     */
    TopicCreation createTopic(String name, int partitions, int replicationFactor, Map<String, String> configs,
                              long nowMs, long newEpoch) {
        TopicCreation check = validateNewTopic(name, partitions, replicationFactor, configs, nowMs);
        if (check.error() != ErrorCode.NONE) {
            return check;
        }
        addTopic(name, partitions == -1 ? numPartitions : partitions, replicationFactor(replicationFactor), configs,
            newEpoch, nowMs);
        return TopicCreation.CREATED;
    }

    /**
     * Grows topic {@code name} to {@code count} partitions; the new ones are placed as at creation, with the
     * replication factor of partition 0.
     *
     * @return NONE (the caller bumps the epoch to {@code newEpoch}), INVALID_TOPIC, UNKNOWN_TOPIC, INVALID_REQUEST (not
     *     a growth, or past the limits), NO_LIVE_BROKERS, INVALID_REPLICATION_FACTOR; with a message on error
     */
    TopicCreation createPartitions(String name, int count, long nowMs, long newEpoch) {
        if (!TopicNames.isValid(name)) {
            return new TopicCreation(ErrorCode.INVALID_TOPIC, "topic name '" + name
                + "' must match [a-zA-Z0-9._-]{1,249} and not be . or ..");
        }
        TopicEntry t = partitions.get(name);
        if (t == null) {
            return new TopicCreation(ErrorCode.UNKNOWN_TOPIC, "topic '" + name + "' does not exist");
        }
        int old = t.partitionCount();
        if (count <= old) {
            return new TopicCreation(ErrorCode.INVALID_REQUEST, "topic '" + name + "' has " + old
                + " partitions; the count can only grow (asked: " + count + ")");
        }
        if (count > ClusterState.MAX_PARTITIONS_PER_TOPIC
                || partitions.totalPartitions() + count - old > ClusterState.MAX_TOTAL_PARTITIONS) {
            return new TopicCreation(ErrorCode.INVALID_REQUEST, "a topic has at most "
                + ClusterState.MAX_PARTITIONS_PER_TOPIC + " partitions and the cluster at most "
                + ClusterState.MAX_TOTAL_PARTITIONS + " (asked: " + count + ")");
        }
        List<BrokerEntry> eligible = brokers.eligibleForNewPartitions(nowMs);
        if (eligible.isEmpty()) {
            return new TopicCreation(ErrorCode.NO_LIVE_BROKERS, "no live broker to place new partitions of '" + name
                + "' on");
        }
        int rf = t.partition(0).replicas().size();
        if (rf > eligible.size()) {
            return new TopicCreation(ErrorCode.INVALID_REPLICATION_FACTOR, "replication factor " + rf + " > "
                + eligible.size() + " brokers available (ids " + PartitionStates.ids(ids(eligible)) + ")");
        }
        Map<Integer, Integer> load = new HashMap<>(partitions.leaderCounts());
        for (BrokerEntry b : eligible) {
            load.merge(b.id, b.offline.size(), Integer::sum);
        }
        List<List<Integer>> placed = ReplicaPlacement.place(count, rf, ids(eligible), load);
        List<PartitionState> states = new ArrayList<>(count);
        for (int p = 0; p < old; p++) {
            states.add(t.partition(p));
        }
        List<String> added = new ArrayList<>();
        for (int p = old; p < count; p++) {
            List<Integer> replicas = placed.get(p);
            states.add(PartitionState.initial(replicas));
            for (int r : replicas) {
                brokers.get(r).replicaCount++;
            }
            added.add(PartitionStates.ids(replicas));
        }
        partitions.replace(new TopicEntry(name, states, t.configs, t.topicId));
        LOG.info("topic {}: partitions added: {} -> {}, replicas of the new ones {} (the first leads, all in sync), "
            + "epoch {}", name, old, count, added, newEpoch);
        return TopicCreation.CREATED;
    }

    /**
     * Sets {@code set} and removes {@code deleted} from topic {@code name}'s own configs, each checked as at creation.
     *
     * @return NONE (the caller bumps the epoch to {@code newEpoch}), INVALID_TOPIC, UNKNOWN_TOPIC, INVALID_CONFIG (an
     *     unknown key or a bad value), INVALID_REQUEST (nothing asked, or a key both set and deleted); with a message
     *     on error
     */
    TopicCreation alterConfigs(String name, Map<String, String> set, List<String> deleted, long newEpoch) {
        if (!TopicNames.isValid(name)) {
            return new TopicCreation(ErrorCode.INVALID_TOPIC, "topic name '" + name
                + "' must match [a-zA-Z0-9._-]{1,249} and not be . or ..");
        }
        TopicEntry t = partitions.get(name);
        if (t == null) {
            return new TopicCreation(ErrorCode.UNKNOWN_TOPIC, "topic '" + name + "' does not exist");
        }
        if (set.isEmpty() && deleted.isEmpty()) {
            return new TopicCreation(ErrorCode.INVALID_REQUEST, "no config to set or delete");
        }
        String problem = TopicConfigs.problem(set);
        if (problem != null) {
            return new TopicCreation(ErrorCode.INVALID_CONFIG, "topic '" + name + "': " + problem);
        }
        for (String key : deleted) {
            if (!TopicConfigs.KEYS.contains(key)) {
                return new TopicCreation(ErrorCode.INVALID_CONFIG, "topic '" + name + "': unknown config key '" + key
                    + "' (known: " + TopicConfigs.KEYS + ")");
            }
            if (set.containsKey(key)) {
                return new TopicCreation(ErrorCode.INVALID_REQUEST, "config '" + key + "' both set and deleted");
            }
        }
        Map<String, String> next = new java.util.TreeMap<>(t.configs);
        next.putAll(set);
        deleted.forEach(next::remove);
        List<PartitionState> states = new ArrayList<>(t.partitionCount());
        for (int p = 0; p < t.partitionCount(); p++) {
            states.add(t.partition(p));
        }
        partitions.replace(new TopicEntry(name, states, next, t.topicId));
        LOG.info("topic {}: configs changed {} -> {} (set {}, deleted {}), epoch {}", name, t.configs, next, set,
            deleted, newEpoch);
        return TopicCreation.CREATED;
    }

    /** Why a topic could not be created now, or NONE. Does not change anything. */
    TopicCreation validateNewTopic(String name, int partitions, int replicationFactor, Map<String, String> configs,
                                   long nowMs) {
        if (!TopicNames.isValid(name)) {
            return new TopicCreation(ErrorCode.INVALID_TOPIC, null);
        }
        int n = partitions == -1 ? numPartitions : partitions;
        if (n < 1 || n > ClusterState.MAX_PARTITIONS_PER_TOPIC) {
            return new TopicCreation(ErrorCode.INVALID_REQUEST, null);
        }
        if (replicationFactor < 1 && replicationFactor != -1) {
            return new TopicCreation(ErrorCode.INVALID_REQUEST, "replication factor " + replicationFactor
                + " (1.." + ReplicationSettings.MAX_REPLICATION_FACTOR + ", or -1 for "
                + ReplicationSettings.DEFAULT_REPLICATION_FACTOR + " " + replication.defaultReplicationFactor()
                + ")");
        }
        if (TopicConfigs.problem(configs) != null) {
            return new TopicCreation(ErrorCode.INVALID_CONFIG, null);
        }
        if (this.partitions.contains(name)) {
            return new TopicCreation(ErrorCode.TOPIC_ALREADY_EXISTS, null);
        }
        if (this.partitions.totalPartitions() + n > ClusterState.MAX_TOTAL_PARTITIONS) {
            LOG.warn("rejecting topic {} with {} partitions: cluster has {} of at most {} partitions", name, n,
                this.partitions.totalPartitions(), ClusterState.MAX_TOTAL_PARTITIONS);
            return new TopicCreation(ErrorCode.INVALID_REQUEST, null);
        }
        List<BrokerEntry> eligible = brokers.eligibleForNewPartitions(nowMs);
        if (eligible.isEmpty()) {
            return new TopicCreation(ErrorCode.NO_LIVE_BROKERS, null);
        }
        int rf = replicationFactor(replicationFactor);
        if (rf > eligible.size()) {
            return new TopicCreation(ErrorCode.INVALID_REPLICATION_FACTOR, "replication factor " + rf + " > "
                + eligible.size() + " brokers available (ids " + PartitionStates.ids(ids(eligible)) + ")");
        }
        return TopicCreation.CREATED;
    }

    private int replicationFactor(int asked) {
        return asked == -1 ? replication.defaultReplicationFactor() : asked;
    }

    private static List<Integer> ids(List<BrokerEntry> bs) {
        List<Integer> ids = new ArrayList<>(bs.size());
        for (BrokerEntry b : bs) {
            ids.add(b.id);
        }
        return ids;
    }

    private void addTopic(String name, int count, int replicationFactor, Map<String, String> configs, long newEpoch,
                          long nowMs) {
        List<BrokerEntry> eligible = brokers.eligibleForNewPartitions(nowMs);
        Map<Integer, Integer> load = new HashMap<>(partitions.leaderCounts());
        for (BrokerEntry b : eligible) {
            load.merge(b.id, b.offline.size(), Integer::sum); // a failing broker is not preferred
        }
        List<List<Integer>> placed = ReplicaPlacement.place(count, replicationFactor, ids(eligible), load);
        List<PartitionState> states = new ArrayList<>(count);
        for (List<Integer> replicas : placed) {
            states.add(PartitionState.initial(replicas));
            for (int r : replicas) {
                brokers.get(r).replicaCount++;
            }
        }
        TopicEntry t = new TopicEntry(name, states, configs, newEpoch);
        partitions.add(t);
        List<String> replicaLists = new ArrayList<>(count);
        for (List<Integer> replicas : placed) {
            replicaLists.add(PartitionStates.ids(replicas));
        }
        LOG.info("topic {} created with {} partitions, replication factor {}, configs {}, replicas {} (the first "
            + "leads, all in sync, leaderEpoch 0, partitionEpoch 0), epoch {}", name, count, replicationFactor,
            t.configs, replicaLists, newEpoch);
    }

    /**
     * Resolves a METADATA request's topic list, creating what it may (see {@link ClusterState#lookupTopics}).
     *
     * @return the outcome; when it created topics, the caller bumps the epoch to {@code newEpoch}
     */
    TopicLookup lookupTopics(boolean autoCreate, List<String> topicNames, long nowMs, long newEpoch) {
        Set<String> created = new LinkedHashSet<>();
        Set<String> unknown = new LinkedHashSet<>();
        ErrorCode createError = ErrorCode.NONE;
        String createErrorTopic = null;
        String createErrorMessage = null;
        boolean create = autoCreate && autoCreateTopics;
        for (String name : topicNames) {
            if (partitions.contains(name) || created.contains(name) || unknown.contains(name)) {
                continue;
            }
            if (create && createError == ErrorCode.NONE) {
                TopicCreation c = validateNewTopic(name, numPartitions, -1, Map.of(), nowMs);
                if (c.error() == ErrorCode.NONE) {
                    addTopic(name, numPartitions, replication.defaultReplicationFactor(), Map.of(), newEpoch, nowMs);
                    created.add(name);
                    continue;
                }
                createError = c.error();
                createErrorTopic = name;
                createErrorMessage = c.message();
            }
            unknown.add(name);
        }
        if (createError == ErrorCode.INVALID_REPLICATION_FACTOR) {
            String message = "cannot create topic '" + createErrorTopic + "' yet: " + createErrorMessage + " ("
                + ReplicationSettings.DEFAULT_REPLICATION_FACTOR + "); unknown topics " + unknown;
            if (nowMs - autoCreateWarnedMs >= AUTO_CREATE_WARN_INTERVAL_MS || autoCreateWarnedMs == Long.MIN_VALUE) {
                autoCreateWarnedMs = nowMs;
                LOG.warn("{} (logged at most every {} s)", message, AUTO_CREATE_WARN_INTERVAL_MS / 1000);
            } else {
                LOG.debug(message);
            }
            return new TopicLookup(ErrorCode.UNKNOWN_TOPIC, message, List.copyOf(created));
        }
        if (createError != ErrorCode.NONE) {
            return new TopicLookup(createError, "cannot create topic '" + createErrorTopic + "': " + createError
                + "; unknown topics " + unknown, List.copyOf(created));
        }
        if (!unknown.isEmpty()) {
            String why = autoCreate && !autoCreateTopics ? " (auto.create.topics=false on the coordinator)" : "";
            return new TopicLookup(ErrorCode.UNKNOWN_TOPIC, "unknown topics " + unknown + why, List.copyOf(created));
        }
        return new TopicLookup(ErrorCode.NONE, null, List.copyOf(created));
    }
}
