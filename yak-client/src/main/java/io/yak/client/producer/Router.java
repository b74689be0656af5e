package io.yak.client.producer;

import io.yak.client.YakException;
import io.yak.wire.ErrorCode;
import io.yak.wire.message.TopicInfo;

/**
 * Picks a record's partition and appends it: an explicit partition as given; a key by Kafka's murmur2 hash
 * modulo the partition count; no key by the {@link StickyPartitioner}, which moves on whenever the current
 * partition would need a new batch. Thread-safe (called by user threads).
 */
final class Router {
    /** Marks "no explicit partition". */
    static final int ANY_PARTITION = -1;

    private final StickyPartitioner sticky;
    private final RecordAccumulator accumulator;

    Router(StickyPartitioner sticky, RecordAccumulator accumulator) {
        this.sticky = sticky;
        this.accumulator = accumulator;
    }

    /** Appends the record; returns the accumulator's result (the partition is in the record's future later). */
    RecordAccumulator.AppendResult append(TopicInfo topic, int partition, long timestamp, byte[] key, byte[] value,
                                          Object sink, long token, long maxBlockNs) throws InterruptedException {
        int n = topic.partitionCount();
        if (n == 0) {
            throw new YakException(ErrorCode.UNKNOWN_PARTITION, "topic '" + topic.name() + "' has no partitions");
        }
        if (partition != ANY_PARTITION) {
            if (partition < 0 || partition >= n) {
                throw new YakException(ErrorCode.UNKNOWN_PARTITION,
                    "partition " + partition + " of topic '" + topic.name() + "' (partitions 0.." + (n - 1) + ")");
            }
            return accumulator.append(topic.name(), partition, timestamp, key, value, sink, token, maxBlockNs, false);
        }
        if (key != null) {
            return accumulator.append(topic.name(), Murmur2.partitionForKey(key, n), timestamp, key, value, sink, token,
                maxBlockNs, false);
        }
        int p = sticky.partition(topic);
        RecordAccumulator.AppendResult r =
            accumulator.append(topic.name(), p, timestamp, null, value, sink, token, maxBlockNs, true);
        if (r != RecordAccumulator.AppendResult.ABORTED_FOR_NEW_BATCH) {
            return r;
        }
        p = sticky.nextPartition(topic, p);
        return accumulator.append(topic.name(), p, timestamp, null, value, sink, token, maxBlockNs, false);
    }
}
