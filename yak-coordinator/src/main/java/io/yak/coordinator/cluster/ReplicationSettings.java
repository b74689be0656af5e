package io.yak.coordinator.cluster;

import io.yak.wire.config.ConfigException;

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
 */
public record ReplicationSettings(int defaultReplicationFactor, boolean uncleanLeaderElectionEnable,
                                  boolean autoLeaderRebalanceEnable, long leaderImbalanceCheckIntervalMs) {
    public static final String DEFAULT_REPLICATION_FACTOR = "default.replication.factor";
    public static final String UNCLEAN_LEADER_ELECTION_ENABLE = "unclean.leader.election.enable";
    public static final String AUTO_LEADER_REBALANCE_ENABLE = "auto.leader.rebalance.enable";
    public static final String LEADER_IMBALANCE_CHECK_INTERVAL_MS = "leader.imbalance.check.interval.ms";

    /** The replication factor field of CREATE_TOPIC_REQUEST is an int16. */
    public static final int MAX_REPLICATION_FACTOR = Short.MAX_VALUE;
    public static final long MIN_LEADER_IMBALANCE_CHECK_INTERVAL_MS = 1;
    public static final long MAX_LEADER_IMBALANCE_CHECK_INTERVAL_MS = 86_400_000;
    /** Kafka's defaults, but one replica: a single broker must work out of the box. */
    public static final ReplicationSettings DEFAULTS = new ReplicationSettings(1, false, true, 30_000);

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
    }

    public ReplicationSettings withDefaultReplicationFactor(int factor) {
        return new ReplicationSettings(factor, uncleanLeaderElectionEnable, autoLeaderRebalanceEnable,
            leaderImbalanceCheckIntervalMs);
    }

    public ReplicationSettings withUncleanLeaderElection(boolean enable) {
        return new ReplicationSettings(defaultReplicationFactor, enable, autoLeaderRebalanceEnable,
            leaderImbalanceCheckIntervalMs);
    }

    /** For the start-up log line. */
    public String describe() {
        return DEFAULT_REPLICATION_FACTOR + " " + defaultReplicationFactor + ", " + UNCLEAN_LEADER_ELECTION_ENABLE
            + " " + uncleanLeaderElectionEnable + ", " + AUTO_LEADER_REBALANCE_ENABLE + " " + autoLeaderRebalanceEnable
            + ", " + LEADER_IMBALANCE_CHECK_INTERVAL_MS + " " + leaderImbalanceCheckIntervalMs;
    }
}
