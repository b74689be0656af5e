package io.yak.coordinator.store;

/**
 * One change of the persisted state, as the change log ({@code coordinator.log}, see {@code STATE.md}, "Change log")
 * stores it. Every record states the new value of what it names (an upsert), never a difference: replaying a record
 * twice, or replaying records a snapshot already holds, gives the same state, so compaction needs no sequence
 * numbers.
 */
public sealed interface StateRecord {
    /** The cluster epoch and the producer id counter. */
    record Counters(long epoch, long nextProducerId) implements StateRecord {
    }

    /** A broker as it is now (registered, moved, declared dead, back). */
    record BrokerRecord(CoordinatorSnapshot.Broker broker) implements StateRecord {
    }

    /** A broker forgotten: gone from the state. */
    record BrokerForgotten(int brokerId) implements StateRecord {
    }

    /** A topic created, with its configs and every partition's state. */
    record TopicRecord(CoordinatorSnapshot.Topic topic) implements StateRecord {
    }

    /** One partition's new replication state (leader, epochs, ISR, eligible leaders). */
    record PartitionRecord(String topic, int partition, CoordinatorSnapshot.Partition state) implements StateRecord {
    }

    /** A consumer group's committed offset. */
    record OffsetRecord(CoordinatorSnapshot.CommittedOffset offset) implements StateRecord {
    }

    /** Every committed offset of a consumer group removed (the group deleted). */
    record GroupDeleted(String group) implements StateRecord {
    }

    /** A topic removed, with every committed offset of its partitions. */
    record TopicDeleted(String topic) implements StateRecord {
    }
}
