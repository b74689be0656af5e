package io.yak.coordinator.cluster;

import io.yak.wire.config.ConfigException;
import io.yak.wire.config.TopicConfigs;

/**
 * The coordinator's replication settings, validated when built (a bad value names its key). Immutable.
 *
 * @param defaultReplicationFactor       replicas of a topic created with replication factor -1 or automatically
 *                                       (key {@value #DEFAULT_REPLICATION_FACTOR})
 * @param uncleanLeaderElectionEnable    whether an offline partition none of whose in-sync replicas can lead is
 *                                       given to another live replica, losing what only the ISR had (key
 *                                       {@value #UNCLEAN_LEADER_ELECTION_ENABLE})
 * @param autoLeaderRebalanceEnable      whether leadership moves back to each partition's preferred replica once it
 *                                       is in sync (key {@value #AUTO_LEADER_REBALANCE_ENABLE})
 * @param leaderImbalanceCheckIntervalMs how often that check runs (key {@value #LEADER_IMBALANCE_CHECK_INTERVAL_MS})
 * @param minInsyncReplicas              the cluster's {@code min.insync.replicas} for topics that do not set their
 *                                       own (key {@value #MIN_INSYNC_REPLICAS}): sent as every such topic's config,
 *                                       so leaders and the coordinator's eligible-leader rule use one value
 */
public record ReplicationSettings(int defaultReplicationFactor, boolean uncleanLeaderElectionEnable,
                                  boolean autoLeaderRebalanceEnable, long leaderImbalanceCheckIntervalMs,
                                  int minInsyncReplicas) {
    public static final String DEFAULT_REPLICATION_FACTOR = "default.replication.factor";
    public static final String UNCLEAN_LEADER_ELECTION_ENABLE = "unclean.leader.election.enable";
    public static final String AUTO_LEADER_REBALANCE_ENABLE = "auto.leader.rebalance.enable";
    public static final String LEADER_IMBALANCE_CHECK_INTERVAL_MS = "leader.imbalance.check.interval.ms";
    public static final String MIN_INSYNC_REPLICAS = TopicConfigs.MIN_INSYNC_REPLICAS;

    /** The replication factor field of CREATE_TOPIC_REQUEST is an int16. */
    public static final int MAX_REPLICATION_FACTOR = Short.MAX_VALUE;
    public static final long MIN_LEADER_IMBALANCE_CHECK_INTERVAL_MS = 1;
    public static final long MAX_LEADER_IMBALANCE_CHECK_INTERVAL_MS = 86_400_000;
    /** Kafka's defaults, but one replica: a single broker must work out of the box. */
    public static final ReplicationSettings DEFAULTS = new ReplicationSettings(1, false, true, 30_000, 1);

    public ReplicationSettings {
        if (defaultReplicationFactor < 1 || defaultReplicationFactor > MAX_REPLICATION_FACTOR) {
            throw new ConfigException("key '" + DEFAULT_REPLICATION_FACTOR + "' = " + defaultReplicationFactor
                + " outside 1.." + MAX_REPLICATION_FACTOR);
        }
        if (leaderImbalanceCheckIntervalMs < MIN_LEADER_IMBALANCE_CHECK_INTERVAL_MS
                || leaderImbalanceCheckIntervalMs > MAX_LEADER_IMBALANCE_CHECK_INTERVAL_MS) {
            throw new ConfigException("key '" + LEADER_IMBALANCE_CHECK_INTERVAL_MS + "' = "
                + leaderImbalanceCheckIntervalMs + " outside " + MIN_LEADER_IMBALANCE_CHECK_INTERVAL_MS + ".."
                + MAX_LEADER_IMBALANCE_CHECK_INTERVAL_MS);
        }
        if (minInsyncReplicas < 1 || minInsyncReplicas > Short.MAX_VALUE) {
            throw new ConfigException("key '" + MIN_INSYNC_REPLICAS + "' = " + minInsyncReplicas + " outside 1.."
                + Short.MAX_VALUE);
        }
    }

    public ReplicationSettings withDefaultReplicationFactor(int factor) {
        return new ReplicationSettings(factor, uncleanLeaderElectionEnable, autoLeaderRebalanceEnable,
            leaderImbalanceCheckIntervalMs, minInsyncReplicas);
    }

    public ReplicationSettings withUncleanLeaderElection(boolean enable) {
        return new ReplicationSettings(defaultReplicationFactor, enable, autoLeaderRebalanceEnable,
            leaderImbalanceCheckIntervalMs, minInsyncReplicas);
    }

    public ReplicationSettings withMinInsyncReplicas(int replicas) {
        return new ReplicationSettings(defaultReplicationFactor, uncleanLeaderElectionEnable,
            autoLeaderRebalanceEnable, leaderImbalanceCheckIntervalMs, replicas);
    }

    /** For the start-up log line. */
    public String describe() {
        return DEFAULT_REPLICATION_FACTOR + " " + defaultReplicationFactor + ", " + UNCLEAN_LEADER_ELECTION_ENABLE
            + " " + uncleanLeaderElectionEnable + ", " + AUTO_LEADER_REBALANCE_ENABLE + " " + autoLeaderRebalanceEnable
            + ", " + LEADER_IMBALANCE_CHECK_INTERVAL_MS + " " + leaderImbalanceCheckIntervalMs + ", "
            + MIN_INSYNC_REPLICAS + " " + minInsyncReplicas;
    }
}
