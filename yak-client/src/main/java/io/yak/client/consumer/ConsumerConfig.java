package io.yak.client.consumer;

import io.yak.client.consumer.assignor.Assignors;
import io.yak.client.consumer.assignor.PartitionAssignor;
import io.yak.client.internal.CommonConfig;
import io.yak.wire.config.ConfigException;
import java.util.List;
import java.util.Locale;
import java.util.Properties;

/**
 * Validated consumer settings. Keys (defaults): {@code coordinator} (127.0.0.1:7000), {@code client.id},
 * {@code request.timeout.ms} (30000), {@code connect.timeout.ms} (10000), {@code retry.backoff.ms} (100),
 * {@code group.id} (none; needed to commit), {@code auto.offset.reset} (earliest, latest or none; latest),
 * {@code from.beginning} (false; true means auto.offset.reset=earliest), {@code max.poll.records} (500),
 * {@code fetch.max.bytes} (1048576, per partition request), {@code fetch.max.wait.ms} (500),
 * {@code enable.auto.commit} (true with a group.id, as Kafka), {@code auto.commit.interval.ms} (5000),
 * {@code partition.assignment.strategy} ({@value Assignors#DEFAULT_STRATEGY}), {@code session.timeout.ms} (45000),
 * {@code heartbeat.interval.ms} (3000, below the session timeout), {@code max.poll.interval.ms} (300000),
 * {@code group.instance.id} (none: a dynamic member). Unknown keys are rejected.
 */
record ConsumerConfig(CommonConfig common, String groupId, OffsetReset autoOffsetReset, int maxPollRecords,
                      int fetchMaxBytes, int fetchMaxWaitMs, boolean enableAutoCommit, long autoCommitIntervalMs,
                      List<PartitionAssignor> assignors, int sessionTimeoutMs, int heartbeatIntervalMs,
                      int maxPollIntervalMs, String groupInstanceId) {
    /** What to do when a partition has no valid position. */
    enum OffsetReset {
        EARLIEST(-2), LATEST(-1), NONE(0);

        /** LIST_OFFSETS timestamp. */
        final long timestamp;

        OffsetReset(long timestamp) {
            this.timestamp = timestamp;
        }
    }

    static ConsumerConfig from(Properties props) {
        ConsumerConfig[] out = new ConsumerConfig[1];
        CommonConfig.parse(props, "consumer config", r -> {
            CommonConfig common = CommonConfig.read(r, "consumer");
            String group = r.string("group.id", "");
            boolean fromBeginning = r.bool("from.beginning", false);
            String resetText = r.string("auto.offset.reset", null);
            OffsetReset reset = resetText == null ? OffsetReset.LATEST : parseReset(resetText);
            if (fromBeginning) {
                if (resetText != null && reset != OffsetReset.EARLIEST) {
                    throw new ConfigException("consumer config: from.beginning=true contradicts auto.offset.reset="
                        + resetText);
                }
                reset = OffsetReset.EARLIEST;
            }
            int maxPollRecords = r.intValue("max.poll.records", 500, 1, 1_000_000);
            int fetchMaxBytes = r.intValue("fetch.max.bytes", 1024 * 1024, 1, 64 * 1024 * 1024);
            int fetchMaxWaitMs = r.intValue("fetch.max.wait.ms", 500, 0, 3_600_000);
            String autoCommitText = r.string("enable.auto.commit", null);
            boolean autoCommit = autoCommitText == null ? !group.isEmpty() : r.bool("enable.auto.commit", false);
            long autoCommitIntervalMs = r.longValue("auto.commit.interval.ms", 5000, 1, Integer.MAX_VALUE);
            if (autoCommit && group.isEmpty()) {
                throw new ConfigException("consumer config: enable.auto.commit=true needs a group.id");
            }
            List<PartitionAssignor> assignors;
            String strategy = r.string("partition.assignment.strategy", Assignors.DEFAULT_STRATEGY);
            try {
                assignors = Assignors.parse(strategy);
            } catch (IllegalArgumentException e) {
                throw new ConfigException("consumer config: " + e.getMessage());
            }
            int sessionTimeoutMs = r.intValue("session.timeout.ms", 45_000, 1, Integer.MAX_VALUE);
            int heartbeatIntervalMs = r.intValue("heartbeat.interval.ms", 3000, 1, Integer.MAX_VALUE);
            if (heartbeatIntervalMs >= sessionTimeoutMs) {
                throw new ConfigException("consumer config: heartbeat.interval.ms (" + heartbeatIntervalMs
                    + ") must be below session.timeout.ms (" + sessionTimeoutMs + ")");
            }
            int maxPollIntervalMs = r.intValue("max.poll.interval.ms", 300_000, 1, Integer.MAX_VALUE);
            String instanceId = r.string("group.instance.id", "");
            if (!instanceId.isEmpty() && group.isEmpty()) {
                throw new ConfigException("consumer config: group.instance.id needs a group.id");
            }
            out[0] = new ConsumerConfig(common, group.isEmpty() ? null : group, reset, maxPollRecords, fetchMaxBytes,
                fetchMaxWaitMs, autoCommit, autoCommitIntervalMs, List.copyOf(assignors), sessionTimeoutMs,
                heartbeatIntervalMs, maxPollIntervalMs, instanceId.isEmpty() ? null : instanceId);
        });
        return out[0];
    }

    /** Cooperative rebalancing (KIP-429) only when every configured assignor supports it, as Kafka decides. */
    boolean cooperative() {
        return assignors.stream().allMatch(PartitionAssignor::cooperative);
    }

    private static OffsetReset parseReset(String v) {
        switch (v.toLowerCase(Locale.ROOT)) {
            case "earliest":
                return OffsetReset.EARLIEST;
            case "latest":
                return OffsetReset.LATEST;
            case "none":
                return OffsetReset.NONE;
            default:
                throw new ConfigException("consumer config: key 'auto.offset.reset' must be earliest, latest or none,"
                    + " was '" + v + "'");
        }
    }
}
