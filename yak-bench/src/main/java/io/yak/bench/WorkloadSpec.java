package io.yak.bench;

import io.yak.wire.config.TopicConfigs;
import java.util.Locale;
import java.util.Map;

/**
 * One workload: what to produce, consume or round-trip, how much and how.
 *
 * @param name        short name used in tables and file names ({@code W1}, {@code produce})
 * @param kind        what runs
 * @param topic       topic to write or read
 * @param partitions  partitions the topic is created with when it does not exist ({@code --partitions}); once the
 *                    topic is found ({@link #onTopic}), its actual partition count
 * @param records     records to measure (after the warm-up)
 * @param recordSize  value bytes per record (records carry no key); for consume, of the records produced to fill a
 *                    topic that holds too few (what is read is whatever the topic holds)
 * @param throughput  records/s cap over all producers, -1 for unlimited (produce only)
 * @param producers   producer instances, one thread each (produce only)
 * @param consumers   consumer instances, one thread each, partitions split between them (consume only; at most one
 *                    per partition once the topic is found)
 * @param client      client settings
 */
record WorkloadSpec(String name, Kind kind, String topic, int partitions, long records, int recordSize,
                    long throughput, int producers, int consumers, ClientSettings client, Replication replication) {
    /**
     * How a topic the tool creates is replicated: {@code replicationFactor} -1 takes the coordinator's default,
     * {@code minInsyncReplicas} -1 the brokers'.
     */
    record Replication(short replicationFactor, int minInsyncReplicas) {
        static final Replication DEFAULT = new Replication((short) -1, -1);

        Map<String, String> topicConfigs() {
            return minInsyncReplicas < 0 ? Map.of()
                : Map.of(TopicConfigs.MIN_INSYNC_REPLICAS, Integer.toString(minInsyncReplicas));
        }

        String describe() {
            return (replicationFactor < 0 ? "" : ", replication factor " + replicationFactor)
                + (minInsyncReplicas < 0 ? "" : ", min.insync.replicas=" + minInsyncReplicas);
        }
    }

    /** A workload on a topic with the cluster's default replication. */
    WorkloadSpec(String name, Kind kind, String topic, int partitions, long records, int recordSize, long throughput,
                 int producers, int consumers, ClientSettings client) {
        this(name, kind, topic, partitions, records, recordSize, throughput, producers, consumers, client,
            Replication.DEFAULT);
    }

    /** e2e values carry a sequence number and the send time, 8 bytes each. */
    static final int E2E_MIN_RECORD_SIZE = 16;

    enum Kind {
        PRODUCE, CONSUME, E2E;

        String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** Null when valid, else one line naming the option. */
    String validate() {
        if (topic == null || topic.isBlank()) {
            return "--topic must not be empty";
        }
        if (records < 1) {
            return "--records must be positive, was " + records;
        }
        int minSize = kind == Kind.E2E ? E2E_MIN_RECORD_SIZE : 0;
        if (recordSize < minSize) {
            return "--record-size must be at least " + minSize + (kind == Kind.E2E
                ? " for e2e (the value carries a sequence number and the send time)" : "") + ", was " + recordSize;
        }
        if (partitions < 1) {
            return "--partitions must be positive, was " + partitions;
        }
        if (throughput != -1 && throughput < 1) {
            return "--throughput must be -1 (unlimited) or a positive records/s cap, was " + throughput;
        }
        if (producers < 1) {
            return "--producers must be positive, was " + producers;
        }
        if (consumers < 1) {
            return "--consumers must be positive, was " + consumers;
        }
        return client.validate();
    }

    /**
     * This workload on its topic as found: {@code partitionCount} partitions, and for consume at most one consumer
     * per partition, so that the header, summary and JSON say what runs.
     */
    WorkloadSpec onTopic(int partitionCount) {
        return new WorkloadSpec(name, kind, topic, partitionCount, records, recordSize, throughput, producers,
            Math.min(consumers, partitionCount), client, replication);
    }

    boolean capped() {
        return throughput > 0;
    }

    /**
     * One line: {@code produce W1: 5,000,000 x 100 B, 1 partition, acks=1, unlimited, 1 producer}. Consume reads
     * whatever sizes the topic holds, so its line gives the record size only as that of fill records.
     */
    String describe() {
        StringBuilder b = new StringBuilder();
        b.append(name.equals(kind.label()) ? name : kind.label() + " " + name).append(": ")
            .append(kind == Kind.CONSUME ? String.format(Locale.ROOT, "%,d records", records)
                : String.format(Locale.ROOT, "%,d x %d B", records, recordSize))
            .append(", topic ").append(topic)
            .append(", ").append(partitions).append(partitions == 1 ? " partition" : " partitions")
            .append(replication.describe());
        switch (kind) {
            case PRODUCE -> b.append(", acks=").append(client.acks())
                .append(", ").append(capped() ? String.format(Locale.ROOT, "capped at %,d records/s", throughput)
                    : "unlimited")
                .append(", ").append(producers).append(producers == 1 ? " producer" : " producers")
                .append(", batch.size=").append(client.batchSize()).append(", linger.ms=").append(client.lingerMs());
            case CONSUME -> b.append(", from the beginning, ").append(consumers)
                .append(consumers == 1 ? " consumer" : " consumers")
                .append(String.format(Locale.ROOT, ", filled with %d B records if short", recordSize));
            case E2E -> b.append(", acks=").append(client.acks()).append(", one record in flight, linger.ms=")
                .append(client.lingerMs());
        }
        if (client.warmupRecords() > 0) {
            b.append(String.format(Locale.ROOT, ", %,d warm-up records", client.warmupRecords()));
        }
        return b.toString();
    }
}
