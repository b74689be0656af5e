package io.yak.coordinator.store;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Everything the coordinator persists, as one immutable value: the content of the state file described in
 * {@code yak-coordinator/STATE.md}. Liveness and current leaders are not persisted: after a restart every broker
 * is dead (and every partition offline) until it registers again.
 *
 * @param epoch          the cluster epoch when the snapshot was taken
 * @param nextProducerId the producer id the next REGISTER_PRODUCER gets
 * @param brokers        every broker ever registered
 * @param topics         every topic, with each partition's replica and leader epoch, and its configs
 * @param offsets        committed offsets of consumer groups
 */
public record CoordinatorSnapshot(long epoch, long nextProducerId, List<Broker> brokers, List<Topic> topics,
                                  List<CommittedOffset> offsets) {
    public static final CoordinatorSnapshot EMPTY = new CoordinatorSnapshot(0, 1, List.of(), List.of(), List.of());

    public CoordinatorSnapshot {
        brokers = List.copyOf(brokers);
        topics = List.copyOf(topics);
        offsets = List.copyOf(offsets);
    }

    /** A known broker and its last advertised address. */
    public record Broker(int id, String host, int port) {
    }

    /**
     * A topic; element i of {@code partitions} is partition i; {@code configs} are its per-topic configs
     * (unmodifiable, sorted by key; empty when it was created without any).
     */
    public record Topic(String name, List<Partition> partitions, Map<String, String> configs) {
        public Topic {
            partitions = List.copyOf(partitions);
            configs = Collections.unmodifiableSortedMap(new TreeMap<>(configs));
        }

        /** A topic without per-topic configs. */
        public Topic(String name, List<Partition> partitions) {
            this(name, partitions, Map.of());
        }
    }

    /** One partition: the broker it is assigned to and its latest leader epoch. */
    public record Partition(int replica, int leaderEpoch) {
    }

    /** A consumer group's next offset to read in one partition. */
    public record CommittedOffset(String group, String topic, int partition, long offset) {
    }
}
