package io.yak.broker.partition;

/**
 * Broker settings of replication, as Kafka names them.
 *
 * @param minInsyncReplicas        {@code min.insync.replicas} for a topic whose metadata carries none: ISR members an
 *                                 acks=all publish needs, capped at a partition's replica count. The coordinator
 *                                 sends every topic's value, so this applies only to a standalone node's file (the
 *                                 same key as its coordinator's) and to tests
 * @param replicaLagTimeMaxMs      {@code replica.lag.time.max.ms}: a follower not caught up for this long leaves the ISR
 * @param replicaFetchMaxWaitMs    {@code replica.fetch.wait.max.ms}: how long a leader holds a fetch with nothing new
 * @param replicaFetchMaxBytes     {@code replica.fetch.max.bytes}: soft limit per partition of one replica fetch
 * @param replicaFetchResponseMaxBytes {@code replica.fetch.response.max.bytes}: soft limit of a whole replica fetch answer
 * @param hwCheckpointIntervalMs   {@code replica.high.watermark.checkpoint.interval.ms}
 */
public record ReplicationConfig(int minInsyncReplicas, long replicaLagTimeMaxMs, int replicaFetchMaxWaitMs,
                                int replicaFetchMaxBytes, int replicaFetchResponseMaxBytes,
                                long hwCheckpointIntervalMs) {
    public static ReplicationConfig defaults() {
        return new ReplicationConfig(1, 30_000, 500, 1 << 20, 10 << 20, 5_000);
    }

    public ReplicationConfig {
        if (minInsyncReplicas < 1 || replicaLagTimeMaxMs < 1 || replicaFetchMaxWaitMs < 0 || replicaFetchMaxBytes < 1
            || replicaFetchResponseMaxBytes < 1 || hwCheckpointIntervalMs < 1) {
            throw new IllegalArgumentException("invalid replication settings " + this);
        }
    }

    public String describe() {
        return "min.insync.replicas=" + minInsyncReplicas + ", replica.lag.time.max.ms=" + replicaLagTimeMaxMs
            + ", replica.fetch.wait.max.ms=" + replicaFetchMaxWaitMs + ", replica.fetch.max.bytes="
            + replicaFetchMaxBytes + ", replica.fetch.response.max.bytes=" + replicaFetchResponseMaxBytes
            + ", replica.high.watermark.checkpoint.interval.ms=" + hwCheckpointIntervalMs;
    }
}
