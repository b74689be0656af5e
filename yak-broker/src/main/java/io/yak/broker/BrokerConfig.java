package io.yak.broker;

import io.yak.broker.log.LogConfig;
import io.yak.broker.partition.ReplicationConfig;
import io.yak.broker.partition.RetentionConfig;
import io.yak.wire.codec.ServerLimits;
import io.yak.wire.config.ConfigException;
import io.yak.wire.FrameLayout;
import io.yak.wire.config.ConfigReader;
import io.yak.wire.config.HostPort;
import io.yak.wire.config.TopicConfigs;
import java.nio.file.Path;

/**
 * A broker's validated configuration; keys and defaults are documented in {@code conf/broker-1.properties}.
 *
 * @param brokerId            {@code broker.id}: unique in the cluster
 * @param listen              {@code listen}: address clients and peers connect to; port 0 picks a free one
 * @param coordinator         {@code coordinator}: the coordinator's address
 * @param dataDir             {@code data.dir}: partition directories live here
 * @param heartbeatIntervalMs {@code heartbeat.interval.ms}
 * @param numPartitions       {@code num.partitions}: partitions of a topic this broker auto-creates
 * @param autoCreateTopics    {@code auto.create.topics}: create unknown topics on first publish or consume
 * @param limits              {@code max.frame.bytes}, {@code queued.max.request.bytes}, {@code request.read.timeout.ms},
 *                            {@code response.write.timeout.ms}: what one peer, and all of them together, can hold
 * @param logThreads          {@code log.threads}: partition writer threads
 * @param log                 segment and flush settings ({@code segment.bytes}, {@code flush.messages}, {@code flush.ms})
 * @param retention           defaults for topics without their own ({@code retention.ms}, {@code retention.bytes},
 *                            {@code retention.check.interval.ms})
 * @param timestampAfterMaxMs {@code log.message.timestamp.after.max.ms}: a publish whose batch's largest record
 *                            timestamp is more than this ahead of the broker's clock is refused with
 *                            {@code INVALID_TIMESTAMP}, as in Kafka 4 (one hour); {@link Long#MAX_VALUE} accepts any
 */
public record BrokerConfig(int brokerId, HostPort listen, HostPort coordinator, Path dataDir, long heartbeatIntervalMs,
                           int numPartitions, boolean autoCreateTopics, ServerLimits limits, int logThreads,
                           LogConfig log, RetentionConfig retention, long timestampAfterMaxMs,
                           ReplicationConfig replication) {
    public static final HostPort DEFAULT_COORDINATOR = new HostPort("127.0.0.1", 7000);
    /** Kafka 4's {@code log.message.timestamp.after.max.ms}: one hour. */
    public static final long DEFAULT_TIMESTAMP_AFTER_MAX_MS = 3_600_000;

    /** A config with the default retention, timestamp limit and connection limits. */
    public BrokerConfig(int brokerId, HostPort listen, HostPort coordinator, Path dataDir, long heartbeatIntervalMs,
                        int numPartitions, boolean autoCreateTopics, int maxFrameBytes, int logThreads, LogConfig log) {
        this(brokerId, listen, coordinator, dataDir, heartbeatIntervalMs, numPartitions, autoCreateTopics,
            ServerLimits.defaults(maxFrameBytes), logThreads, log, RetentionConfig.defaults(),
            DEFAULT_TIMESTAMP_AFTER_MAX_MS, ReplicationConfig.defaults());
    }

    /** A config with the default replication settings. */
    public BrokerConfig(int brokerId, HostPort listen, HostPort coordinator, Path dataDir, long heartbeatIntervalMs,
                        int numPartitions, boolean autoCreateTopics, ServerLimits limits, int logThreads,
                        LogConfig log, RetentionConfig retention, long timestampAfterMaxMs) {
        this(brokerId, listen, coordinator, dataDir, heartbeatIntervalMs, numPartitions, autoCreateTopics, limits,
            logThreads, log, retention, timestampAfterMaxMs, ReplicationConfig.defaults());
    }

    public BrokerConfig {
        if (replication == null) {
            replication = ReplicationConfig.defaults();
        }
        if (limits == null) {
            throw new IllegalArgumentException("limits must be set");
        }
        if (timestampAfterMaxMs < 0) {
            throw new IllegalArgumentException("log.message.timestamp.after.max.ms " + timestampAfterMaxMs + " < 0");
        }
    }

    /** Reads the broker keys without rejecting others, so a standalone file can also hold coordinator keys. */
    public static BrokerConfig from(ConfigReader r) {
        LogConfig defaults = LogConfig.defaults();
        int segmentBytes = r.intValue("segment.bytes", defaults.segmentBytes(), 4096, Integer.MAX_VALUE - 4096);
        LogConfig log = new LogConfig(segmentBytes,
            r.intValue("index.interval.bytes", defaults.indexIntervalBytes(), 1, Integer.MAX_VALUE),
            r.longValue("flush.messages", defaults.flushMessages(), 1, Long.MAX_VALUE),
            r.longValue("flush.ms", defaults.flushMs(), 1, Long.MAX_VALUE))
            .withSegmentMs(r.longValue("segment.ms", defaults.segmentMs(), 1, Long.MAX_VALUE))
            .withFileDeleteDelayMs(r.longValue("file.delete.delay.ms", defaults.fileDeleteDelayMs(), 0,
                Long.MAX_VALUE))
            .withProducerIdExpirationMs(r.longValue("producer.id.expiration.ms", defaults.producerIdExpirationMs(),
                1, Long.MAX_VALUE));
        RetentionConfig rd = RetentionConfig.defaults();
        long retentionMs = r.longValue("retention.ms", rd.retentionMs(), -1, Long.MAX_VALUE);
        long retentionBytes = r.longValue("retention.bytes", rd.retentionBytes(), -1, Long.MAX_VALUE);
        if (retentionMs == 0 || retentionBytes == 0) {
            throw new ConfigException(r.source() + ": keys 'retention.ms' and 'retention.bytes' must be -1 "
                + "(unlimited) or positive");
        }
        RetentionConfig retention = new RetentionConfig(retentionMs, retentionBytes,
            r.longValue("retention.check.interval.ms", rd.checkIntervalMs(), 1, Long.MAX_VALUE));
        return new BrokerConfig(
            r.requiredInt("broker.id", 0, Integer.MAX_VALUE),
            r.hostPort("listen", new HostPort("127.0.0.1", 9092)),
            r.hostPort("coordinator", DEFAULT_COORDINATOR),
            r.path("data.dir", null),
            r.longValue("heartbeat.interval.ms", 1000, 10, 60_000),
            r.intValue("num.partitions", 3, 1, 10_000),
            r.bool("auto.create.topics", true),
            ServerLimits.from(r, r.intValue("max.frame.bytes", FrameLayout.DEFAULT_MAX_FRAME_BYTES, 1024,
                Integer.MAX_VALUE - 16)),
            r.intValue("log.threads", Math.max(1, Runtime.getRuntime().availableProcessors() / 2), 1, 64),
            log, retention,
            r.longValue("log.message.timestamp.after.max.ms", DEFAULT_TIMESTAMP_AFTER_MAX_MS, 0, Long.MAX_VALUE),
            replication(r));
    }

    private static ReplicationConfig replication(ConfigReader r) {
        ReplicationConfig d = ReplicationConfig.defaults();
        return new ReplicationConfig(
            r.intValue("min.insync.replicas", d.minInsyncReplicas(), 1, Short.MAX_VALUE),
            r.longValue("replica.lag.time.max.ms", d.replicaLagTimeMaxMs(), 1, Long.MAX_VALUE / 4),
            r.intValue("replica.fetch.wait.max.ms", d.replicaFetchMaxWaitMs(), 0, 60_000),
            r.intValue("replica.fetch.max.bytes", d.replicaFetchMaxBytes(), 1, Integer.MAX_VALUE),
            r.intValue("replica.fetch.response.max.bytes", d.replicaFetchResponseMaxBytes(), 1, Integer.MAX_VALUE),
            r.longValue("replica.high.watermark.checkpoint.interval.ms", d.hwCheckpointIntervalMs(), 1,
                Long.MAX_VALUE / 4));
    }

    /** {@code max.frame.bytes}. */
    public int maxFrameBytes() {
        return limits.maxFrameBytes();
    }

    /**
     * Loads a broker-only file; any key the broker does not know stops it. {@code min.insync.replicas} is refused
     * with a pointer to the coordinator's file: the coordinator decides it for the whole cluster (its eligible-leader
     * rule depends on leaders using its value), and sends it with every topic.
     */
    public static BrokerConfig load(Path file) {
        ConfigReader r = ConfigReader.load(file);
        if (r.has(TopicConfigs.MIN_INSYNC_REPLICAS)) {
            throw new ConfigException(r.source() + ": key '" + TopicConfigs.MIN_INSYNC_REPLICAS + "' is a cluster "
                + "setting: set it in the coordinator's file (a topic may set its own with --config "
                + TopicConfigs.MIN_INSYNC_REPLICAS + "=N)");
        }
        BrokerConfig c = from(r);
        r.finish();
        return c;
    }


    /**
     * The settings as {@code key=value} pairs with the keys of the config file, for the startup log line; limits
     * that are off print as {@code never} or {@code -1 (no limit)}, not as {@link Long#MAX_VALUE}.
     */
    public String describe() {
        return "broker.id=" + brokerId + ", listen=" + listen + ", coordinator=" + coordinator + ", data.dir="
            + dataDir + ", heartbeat.interval.ms=" + heartbeatIntervalMs + ", num.partitions=" + numPartitions
            + ", auto.create.topics=" + autoCreateTopics + ", max.frame.bytes=" + maxFrameBytes() + ", "
            + limits.describe() + ", log.threads="
            + logThreads + ", segment.bytes=" + log.segmentBytes() + ", segment.ms=" + orNever(log.segmentMs())
            + ", index.interval.bytes=" + log.indexIntervalBytes() + ", flush.messages="
            + orNever(log.flushMessages()) + ", flush.ms=" + orNever(log.flushMs()) + ", file.delete.delay.ms="
            + log.fileDeleteDelayMs() + ", producer.id.expiration.ms=" + log.producerIdExpirationMs()
            + ", retention.ms=" + orNoLimit(retention.retentionMs()) + ", retention.bytes="
            + orNoLimit(retention.retentionBytes()) + ", retention.check.interval.ms=" + retention.checkIntervalMs()
            + ", log.message.timestamp.after.max.ms="
            + (timestampAfterMaxMs == Long.MAX_VALUE ? "no limit" : Long.toString(timestampAfterMaxMs)) + ", "
            + replication.describe();
    }

    private static String orNever(long value) {
        return value == Long.MAX_VALUE ? "never" : Long.toString(value);
    }

    private static String orNoLimit(long value) {
        return value == RetentionConfig.UNLIMITED ? "-1 (no limit)" : Long.toString(value);
    }

    public BrokerConfig withListen(HostPort newListen) {
        return new BrokerConfig(brokerId, newListen, coordinator, dataDir, heartbeatIntervalMs, numPartitions,
            autoCreateTopics, limits, logThreads, log, retention, timestampAfterMaxMs, replication);
    }

    public BrokerConfig withDataDir(Path newDataDir) {
        return new BrokerConfig(brokerId, listen, coordinator, newDataDir, heartbeatIntervalMs, numPartitions,
            autoCreateTopics, limits, logThreads, log, retention, timestampAfterMaxMs, replication);
    }

    public BrokerConfig withLimits(ServerLimits newLimits) {
        return new BrokerConfig(brokerId, listen, coordinator, dataDir, heartbeatIntervalMs, numPartitions,
            autoCreateTopics, newLimits, logThreads, log, retention, timestampAfterMaxMs, replication);
    }

    public BrokerConfig withCoordinator(HostPort newCoordinator) {
        return new BrokerConfig(brokerId, listen, newCoordinator, dataDir, heartbeatIntervalMs, numPartitions,
            autoCreateTopics, limits, logThreads, log, retention, timestampAfterMaxMs, replication);
    }
}
