package io.yak.bench;

import java.util.List;

/**
 * The standard workload set, the same the Apache Kafka anchor runs ({@code ../shared/anchors/kafka/bench-kafka.sh}):
 * <ul>
 *   <li>W1: 100-byte records, 1 partition, acks=1, unlimited throughput, 5,000,000 records</li>
 *   <li>W2: 1024-byte records, 1 partition, acks=1, 1,000,000 records</li>
 *   <li>W3: 100-byte records, 3 partitions, acks=all, 5,000,000 records</li>
 *   <li>W4: consume W1's topic from the beginning</li>
 *   <li>W5: end-to-end latency, 100-byte records, acks=1, one record in flight, 20,000 round trips (linger.ms=0)</li>
 * </ul>
 * With {@code --replicated}, against a cluster of at least three brokers, the replicated set instead (the anchor's
 * {@code bench-kafka-cluster.sh}), every topic with replication factor 3 and {@code min.insync.replicas=2}:
 * <ul>
 *   <li>W6: 100-byte records, 3 partitions, acks=all, 5,000,000 records</li>
 *   <li>W7: 1024-byte records, 3 partitions, acks=all, 1,000,000 records</li>
 *   <li>W8: end-to-end latency, 100-byte records, 1 partition, acks=all, 20,000 round trips (linger.ms=0)</li>
 * </ul>
 * Counts are multiplied by {@code scale} (at least 1 record each).
 */
final class StandardWorkloads {
    static final long W1_RECORDS = 5_000_000;
    static final long W2_RECORDS = 1_000_000;
    static final long W3_RECORDS = 5_000_000;
    static final long W5_RECORDS = 20_000;
    static final long W6_RECORDS = 5_000_000;
    static final long W7_RECORDS = 1_000_000;
    static final long W8_RECORDS = 20_000;
    static final WorkloadSpec.Replication REPLICATED = new WorkloadSpec.Replication((short) 3, 2);

    private StandardWorkloads() {
    }

    /**
     * @param topicPrefix each workload writes its own topic, {@code <prefix>-w1} ...; W4 reads {@code <prefix>-w1}
     * @param client      batch size, linger and warm-up for W1-W3; W5 always lingers 0
     */
    static List<WorkloadSpec> specs(String topicPrefix, double scale, ClientSettings client) {
        long n1 = scaled(W1_RECORDS, scale);
        String w1Topic = topicPrefix + "-w1";
        return List.of(
            produce("W1", w1Topic, 1, n1, 100, client.withAcks("1")),
            produce("W2", topicPrefix + "-w2", 1, scaled(W2_RECORDS, scale), 1024, client.withAcks("1")),
            produce("W3", topicPrefix + "-w3", 3, scaled(W3_RECORDS, scale), 100, client.withAcks("all")),
            new WorkloadSpec("W4", WorkloadSpec.Kind.CONSUME, w1Topic, 1, n1, 100, -1, 1, 1, client.withAcks("1")),
            new WorkloadSpec("W5", WorkloadSpec.Kind.E2E, topicPrefix + "-w5", 1, scaled(W5_RECORDS, scale), 100, -1,
                1, 1, client.withAcks("1").withLingerMs(0)));
    }

    /** W6-W8: the replicated workloads, each on its own topic {@code <prefix>-w6} ... */
    static List<WorkloadSpec> replicatedSpecs(String topicPrefix, double scale, ClientSettings client) {
        ClientSettings all = client.withAcks("all");
        return List.of(
            produce("W6", topicPrefix + "-w6", 3, scaled(W6_RECORDS, scale), 100, all, REPLICATED),
            produce("W7", topicPrefix + "-w7", 3, scaled(W7_RECORDS, scale), 1024, all, REPLICATED),
            new WorkloadSpec("W8", WorkloadSpec.Kind.E2E, topicPrefix + "-w8", 1, scaled(W8_RECORDS, scale), 100, -1,
                1, 1, all.withLingerMs(0), REPLICATED));
    }

    private static WorkloadSpec produce(String name, String topic, int partitions, long records, int size,
                                        ClientSettings client) {
        return produce(name, topic, partitions, records, size, client, WorkloadSpec.Replication.DEFAULT);
    }

    private static WorkloadSpec produce(String name, String topic, int partitions, long records, int size,
                                        ClientSettings client, WorkloadSpec.Replication replication) {
        return new WorkloadSpec(name, WorkloadSpec.Kind.PRODUCE, topic, partitions, records, size, -1, 1, 1, client,
            replication);
    }

    static long scaled(long records, double scale) {
        return Math.max(1, Math.round(records * scale));
    }
}
