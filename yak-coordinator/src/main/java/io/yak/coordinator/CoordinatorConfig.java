package io.yak.coordinator;

import io.yak.coordinator.cluster.BrokerIds;
import io.yak.coordinator.cluster.ClusterState;
import io.yak.coordinator.cluster.ReplicationSettings;
import io.yak.coordinator.group.GroupSettings;
import io.yak.http.ServerHttp;
import io.yak.wire.FrameLayout;
import io.yak.wire.codec.ServerLimits;
import io.yak.wire.config.ConfigException;
import io.yak.wire.config.ConfigReader;
import io.yak.wire.config.HostPort;
import java.nio.file.Path;

/**
 * The coordinator's settings, validated when built: the canonical constructor rejects a bad value with a
 * {@link ConfigException} naming its key, so a config assembled in code (the broker's standalone mode) is held to
 * the same rules as one read from a file. Keys and defaults are documented in {@code conf/coordinator.properties}.
 *
 * @param listen             address to bind (key {@code listen}); port 0 picks a free port
 * @param dataDir            directory of the persisted state (key {@code data.dir}, required)
 * @param heartbeatTimeoutMs a broker with no heartbeat for longer than this is declared dead
 * @param autoCreateTopics   whether a METADATA request with autoCreate may create missing topics
 * @param numPartitions      partitions of an automatically created topic, or of CREATE_TOPIC with -1
 * @param limits             what peers may hold: {@code max.frame.bytes} (largest frame length accepted),
 *                           {@code queued.max.request.bytes}, {@code request.read.timeout.ms},
 *                           {@code response.write.timeout.ms}
 * @param brokerIds          the broker ids allowed to register (key {@code broker.ids}); {@link BrokerIds#ANY} when
 *                           not set
 * @param deadBrokerForgetMs a dead broker holding no partition is forgotten after this long (key
 *                           {@code dead.broker.forget.ms}); {@link #FORGET_NEVER} keeps it
 * @param replication        keys {@code default.replication.factor}, {@code unclean.leader.election.enable},
 *                           {@code auto.leader.rebalance.enable}, {@code leader.imbalance.check.interval.ms}
 * @param groups             keys {@code group.initial.rebalance.delay.ms}, {@code group.min.session.timeout.ms},
 *                           {@code group.max.session.timeout.ms}
 */
public record CoordinatorConfig(HostPort listen, Path dataDir, long heartbeatTimeoutMs, boolean autoCreateTopics,
                                int numPartitions, ServerLimits limits, BrokerIds brokerIds,
                                long deadBrokerForgetMs, ReplicationSettings replication, GroupSettings groups) {
    public static final String LISTEN = "listen";
    public static final String DATA_DIR = "data.dir";
    public static final String HEARTBEAT_TIMEOUT_MS = "heartbeat.timeout.ms";
    public static final String AUTO_CREATE_TOPICS = "auto.create.topics";
    public static final String NUM_PARTITIONS = "num.partitions";
    public static final String MAX_FRAME_BYTES = "max.frame.bytes";
    public static final String BROKER_IDS = "broker.ids";
    public static final String DEAD_BROKER_FORGET_MS = "dead.broker.forget.ms";
    public static final String DEFAULT_REPLICATION_FACTOR = ReplicationSettings.DEFAULT_REPLICATION_FACTOR;
    public static final String UNCLEAN_LEADER_ELECTION_ENABLE = ReplicationSettings.UNCLEAN_LEADER_ELECTION_ENABLE;
    public static final String AUTO_LEADER_REBALANCE_ENABLE = ReplicationSettings.AUTO_LEADER_REBALANCE_ENABLE;
    public static final String LEADER_IMBALANCE_CHECK_INTERVAL_MS =
        ReplicationSettings.LEADER_IMBALANCE_CHECK_INTERVAL_MS;
    public static final String GROUP_INITIAL_REBALANCE_DELAY_MS = GroupSettings.INITIAL_REBALANCE_DELAY_MS;
    public static final String GROUP_MIN_SESSION_TIMEOUT_MS = GroupSettings.MIN_SESSION_TIMEOUT_MS;
    public static final String GROUP_MAX_SESSION_TIMEOUT_MS = GroupSettings.MAX_SESSION_TIMEOUT_MS;
    public static final String GROUP_MAX_SIZE = GroupSettings.MAX_SIZE;

    public static final HostPort DEFAULT_LISTEN = new HostPort("127.0.0.1", 7000);
    public static final long DEFAULT_HEARTBEAT_TIMEOUT_MS = 6000;
    public static final long MIN_HEARTBEAT_TIMEOUT_MS = 100;
    public static final long MAX_HEARTBEAT_TIMEOUT_MS = 600_000;
    public static final boolean DEFAULT_AUTO_CREATE_TOPICS = true;
    public static final int DEFAULT_NUM_PARTITIONS = 3;
    public static final int MIN_NUM_PARTITIONS = 1;
    public static final int MAX_NUM_PARTITIONS = 10_000;
    public static final int DEFAULT_MAX_FRAME_BYTES = FrameLayout.DEFAULT_MAX_FRAME_BYTES;
    /** Smaller frames could not carry the metadata of even a small cluster. */
    public static final int MIN_MAX_FRAME_BYTES = 4096;
    public static final int MAX_MAX_FRAME_BYTES = 1 << 30;
    /** One hour: long enough to see a stopped broker in {@code yak cluster}, short enough that none pile up. */
    public static final long DEFAULT_DEAD_BROKER_FORGET_MS = 3_600_000;
    /** {@code dead.broker.forget.ms} value that never forgets a dead broker. */
    public static final long FORGET_NEVER = ClusterState.FORGET_NEVER;
    /** One year. */
    public static final long MAX_DEAD_BROKER_FORGET_MS = 365L * 24 * 3_600_000;

    public CoordinatorConfig {
        if (listen == null) {
            throw new ConfigException("key '" + LISTEN + "' must be set (host:port)");
        }
        if (dataDir == null) {
            throw new ConfigException("missing required key '" + DATA_DIR + "' (a directory)");
        }
        checkRange(HEARTBEAT_TIMEOUT_MS, heartbeatTimeoutMs, MIN_HEARTBEAT_TIMEOUT_MS, MAX_HEARTBEAT_TIMEOUT_MS);
        checkRange(NUM_PARTITIONS, numPartitions, MIN_NUM_PARTITIONS, MAX_NUM_PARTITIONS);
        if (limits == null) {
            throw new ConfigException("connection limits must be set");
        }
        checkRange(MAX_FRAME_BYTES, limits.maxFrameBytes(), MIN_MAX_FRAME_BYTES, MAX_MAX_FRAME_BYTES);
        if (brokerIds == null) {
            throw new ConfigException("key '" + BROKER_IDS + "' must be a list of ids or ranges, or unset (any id)");
        }
        if (deadBrokerForgetMs != FORGET_NEVER && (deadBrokerForgetMs < 0
                || deadBrokerForgetMs > MAX_DEAD_BROKER_FORGET_MS)) {
            throw new ConfigException("key '" + DEAD_BROKER_FORGET_MS + "' = " + deadBrokerForgetMs + " outside 0.."
                + MAX_DEAD_BROKER_FORGET_MS + " (or -1: never)");
        }
        if (replication == null) {
            throw new ConfigException("replication settings must be set");
        }
        if (groups == null) {
            throw new ConfigException("consumer group settings must be set");
        }
    }

    /**
     * A config with the default consumer group settings ({@link GroupSettings#DEFAULTS}): the canonical constructor
     * before consumer groups, kept for code that builds a config (tests). Add them with {@link #withGroups}.
     */
    public CoordinatorConfig(HostPort listen, Path dataDir, long heartbeatTimeoutMs, boolean autoCreateTopics,
                             int numPartitions, ServerLimits limits, BrokerIds brokerIds, long deadBrokerForgetMs,
                             ReplicationSettings replication) {
        this(listen, dataDir, heartbeatTimeoutMs, autoCreateTopics, numPartitions, limits, brokerIds,
            deadBrokerForgetMs, replication, GroupSettings.DEFAULTS);
    }

    /**
     * A config with the default replication settings ({@link ReplicationSettings#DEFAULTS}: one replica, no unclean
     * election, preferred leaders every 30 s): the canonical constructor before replication, kept for code that
     * builds a config (the broker's standalone mode, tests). Add them with {@link #withReplication}.
     */
    public CoordinatorConfig(HostPort listen, Path dataDir, long heartbeatTimeoutMs, boolean autoCreateTopics,
                             int numPartitions, ServerLimits limits, BrokerIds brokerIds, long deadBrokerForgetMs) {
        this(listen, dataDir, heartbeatTimeoutMs, autoCreateTopics, numPartitions, limits, brokerIds,
            deadBrokerForgetMs, ReplicationSettings.DEFAULTS);
    }

    /** This config with other replication settings. */
    public CoordinatorConfig withReplication(ReplicationSettings settings) {
        return new CoordinatorConfig(listen, dataDir, heartbeatTimeoutMs, autoCreateTopics, numPartitions, limits,
            brokerIds, deadBrokerForgetMs, settings, groups);
    }

    /** This config with other consumer group settings. */
    public CoordinatorConfig withGroups(GroupSettings settings) {
        return new CoordinatorConfig(listen, dataDir, heartbeatTimeoutMs, autoCreateTopics, numPartitions, limits,
            brokerIds, deadBrokerForgetMs, replication, settings);
    }

    /**
     * A config that lets any broker id register and forgets dead brokers after the default delay: the settings
     * before {@code broker.ids} existed, for code that builds a config (tests, embedded coordinators).
     */
    public CoordinatorConfig(HostPort listen, Path dataDir, long heartbeatTimeoutMs, boolean autoCreateTopics,
                             int numPartitions, int maxFrameBytes) {
        this(listen, dataDir, heartbeatTimeoutMs, autoCreateTopics, numPartitions, ServerLimits.defaults(maxFrameBytes),
            BrokerIds.ANY, DEFAULT_DEAD_BROKER_FORGET_MS);
    }

    /** A config with the default connection limits besides {@code max.frame.bytes}. */
    public CoordinatorConfig(HostPort listen, Path dataDir, long heartbeatTimeoutMs, boolean autoCreateTopics,
                             int numPartitions, int maxFrameBytes, BrokerIds brokerIds, long deadBrokerForgetMs) {
        this(listen, dataDir, heartbeatTimeoutMs, autoCreateTopics, numPartitions, ServerLimits.defaults(maxFrameBytes),
            brokerIds, deadBrokerForgetMs);
    }

    /** {@code max.frame.bytes}. */
    public int maxFrameBytes() {
        return limits.maxFrameBytes();
    }

    /**
     * Reads the coordinator's keys from {@code r} without calling {@link ConfigReader#finish()}, so a process
     * that also reads other keys from the same file (the broker's standalone mode) can finish it itself.
     *
     * @throws ConfigException naming the key of a missing or bad value
     */
    public static CoordinatorConfig from(ConfigReader r) {
        HostPort listen = r.hostPort(LISTEN, DEFAULT_LISTEN);
        Path dataDir = r.path(DATA_DIR, null);
        long heartbeatTimeoutMs = r.longValue(HEARTBEAT_TIMEOUT_MS, DEFAULT_HEARTBEAT_TIMEOUT_MS,
            MIN_HEARTBEAT_TIMEOUT_MS, MAX_HEARTBEAT_TIMEOUT_MS);
        boolean autoCreateTopics = r.bool(AUTO_CREATE_TOPICS, DEFAULT_AUTO_CREATE_TOPICS);
        int numPartitions = r.intValue(NUM_PARTITIONS, DEFAULT_NUM_PARTITIONS, MIN_NUM_PARTITIONS, MAX_NUM_PARTITIONS);
        int maxFrameBytes = r.intValue(MAX_FRAME_BYTES, DEFAULT_MAX_FRAME_BYTES, MIN_MAX_FRAME_BYTES,
            MAX_MAX_FRAME_BYTES);
        BrokerIds brokerIds = brokerIds(r, BrokerIds.ANY);
        long deadBrokerForgetMs = r.longValue(DEAD_BROKER_FORGET_MS, DEFAULT_DEAD_BROKER_FORGET_MS, FORGET_NEVER,
            MAX_DEAD_BROKER_FORGET_MS);
        return new CoordinatorConfig(listen, dataDir, heartbeatTimeoutMs, autoCreateTopics, numPartitions,
            ServerLimits.from(r, maxFrameBytes), brokerIds, deadBrokerForgetMs, replication(r), groups(r));
    }

    /**
     * Reads keys {@code group.initial.rebalance.delay.ms} (default 100), {@code group.min.session.timeout.ms}
     * (6000), {@code group.max.session.timeout.ms} (1800000) and {@code group.max.size} (10000). Public for the
     * broker's standalone mode, which reads the coordinator's keys it supports itself.
     *
     * @throws ConfigException naming the key of a bad value
     */
    public static GroupSettings groups(ConfigReader r) {
        long initialRebalanceDelayMs = r.longValue(GROUP_INITIAL_REBALANCE_DELAY_MS,
            GroupSettings.DEFAULT_INITIAL_REBALANCE_DELAY_MS, 0, GroupSettings.MAX_INITIAL_REBALANCE_DELAY_MS);
        int minSessionTimeoutMs = r.intValue(GROUP_MIN_SESSION_TIMEOUT_MS, GroupSettings.DEFAULT_MIN_SESSION_TIMEOUT_MS,
            1, GroupSettings.MAX_SESSION_TIMEOUT_BOUND_MS);
        int maxSessionTimeoutMs = r.intValue(GROUP_MAX_SESSION_TIMEOUT_MS, GroupSettings.DEFAULT_MAX_SESSION_TIMEOUT_MS,
            1, GroupSettings.MAX_SESSION_TIMEOUT_BOUND_MS);
        try {
            return new GroupSettings(initialRebalanceDelayMs, minSessionTimeoutMs, maxSessionTimeoutMs,
                r.intValue(GROUP_MAX_SIZE, GroupSettings.DEFAULT_MAX_SIZE, 1, Integer.MAX_VALUE));
        } catch (ConfigException e) {
            throw new ConfigException(r.source() + ": " + e.getMessage());
        }
    }

    /**
     * Reads keys {@code default.replication.factor} (default 1), {@code unclean.leader.election.enable} (false),
     * {@code auto.leader.rebalance.enable} (true), {@code leader.imbalance.check.interval.ms} (30000) and {@code
     * min.insync.replicas} (1). Public for
     * the broker's standalone mode, which reads the coordinator's keys it supports itself.
     *
     * @throws ConfigException naming the key of a bad value
     */
    public static ReplicationSettings replication(ConfigReader r) {
        ReplicationSettings d = ReplicationSettings.DEFAULTS;
        return new ReplicationSettings(
            r.intValue(DEFAULT_REPLICATION_FACTOR, d.defaultReplicationFactor(), 1,
                ReplicationSettings.MAX_REPLICATION_FACTOR),
            r.bool(UNCLEAN_LEADER_ELECTION_ENABLE, d.uncleanLeaderElectionEnable()),
            r.bool(AUTO_LEADER_REBALANCE_ENABLE, d.autoLeaderRebalanceEnable()),
            r.longValue(LEADER_IMBALANCE_CHECK_INTERVAL_MS, d.leaderImbalanceCheckIntervalMs(),
                ReplicationSettings.MIN_LEADER_IMBALANCE_CHECK_INTERVAL_MS,
                ReplicationSettings.MAX_LEADER_IMBALANCE_CHECK_INTERVAL_MS),
            r.intValue(ReplicationSettings.MIN_INSYNC_REPLICAS, d.minInsyncReplicas(), 1, Short.MAX_VALUE));
    }

    /**
     * Reads key {@code broker.ids}: a comma-separated list of ids and ranges ({@code 1-3}, {@code 1,2,5-9});
     * {@code defaultValue} when it is not set or empty. Public for the broker's standalone mode, which reads the
     * coordinator's keys it supports one by one.
     *
     * @throws ConfigException naming the key and the bad element
     */
    public static BrokerIds brokerIds(ConfigReader r, BrokerIds defaultValue) {
        String text = r.string(BROKER_IDS, "");
        if (text.isEmpty()) {
            return defaultValue;
        }
        try {
            return BrokerIds.parse(text);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(r.source() + ": key '" + BROKER_IDS + "': " + e.getMessage());
        }
    }

    /**
     * Reads key {@code broker.ids} for a process that runs the coordinator together with broker {@code brokerId}
     * (the standalone node): not set means that broker alone; a list without it is refused, as that broker could
     * never register.
     *
     * @throws ConfigException naming the key
     */
    public static BrokerIds brokerIdsIncluding(ConfigReader r, int brokerId) {
        BrokerIds ids = brokerIds(r, BrokerIds.of(brokerId));
        if (!ids.allows(brokerId)) {
            throw new ConfigException(r.source() + ": key '" + BROKER_IDS + "' = " + ids + " does not include this "
                + "node's broker.id " + brokerId + ": its broker could never register");
        }
        return ids;
    }

    /**
     * Reads a coordinator config file; every key in it must be one of the coordinator's or the process's
     * ({@code http.listen}, checked here and read by {@link CoordinatorMain}).
     *
     * @throws ConfigException when the file cannot be read, a key is unknown, or a value is missing or bad
     */
    public static CoordinatorConfig load(Path file) {
        ConfigReader r = ConfigReader.load(file);
        CoordinatorConfig config = from(r);
        r.optionalHostPort(ServerHttp.LISTEN_KEY);
        r.finish();
        return config;
    }


    /** How often the liveness check runs: often enough to notice a dead broker soon after its timeout. */
    public long livenessCheckIntervalMs() {
        return Math.max(1, Math.min(heartbeatTimeoutMs / 4, 500));
    }

    private static void checkRange(String key, long value, long min, long max) {
        if (value < min || value > max) {
            throw new ConfigException("key '" + key + "' = " + value + " outside " + min + ".." + max);
        }
    }
}
