package io.yak.broker.partition;

import io.micrometer.core.instrument.MeterRegistry;
import io.yak.wire.message.BrokerInfo;
import io.yak.wire.message.TopicInfo;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;

/**
 * The partitions this broker knows, and the latest cluster view it serves them by: every partition ever seen (each
 * bound to one writer thread for good), the ones of the current view by topic, the view's topics, brokers and epoch.
 * The view's maps are immutable and replaced whole by the metadata thread ({@link #install}); every other thread
 * reads them without a lock.
 */
final class PartitionTable {
    /** The writer threads ({@code yak-log-N}); a partition's is chosen from its name. */
    final ExecutorService[] writers;
    /** Every partition ever seen, so a log opened once is never opened twice. */
    private final Map<String, Partition> byName = new ConcurrentHashMap<>();
    /** Partitions by topic, element i = partition i; replaced whole on metadata change (copy on write). */
    private volatile Map<String, Partition[]> partitions = Map.of();
    /** Topic metadata (configs included) by name, replaced whole with {@link #partitions}. */
    private volatile Map<String, TopicInfo> topics = Map.of();
    /** Brokers of the latest cluster view by id: addresses of leaders, broker epochs of followers. */
    private volatile Map<Integer, BrokerInfo> brokers = Map.of();
    /** The epoch of the latest cluster view applied; 0 before the first. Written by the metadata thread. */
    volatile long epoch;
    /** Where partitions register their meters; null until {@link #bindMeters}. */
    private volatile MeterRegistry registry;

    PartitionTable(ExecutorService[] writers) {
        this.writers = writers;
    }

    /** The partition named {@code topic-index}, created (with its writer thread) when first seen. */
    Partition partition(String topic, int index) {
        return byName.computeIfAbsent(topic + "-" + index, n -> new Partition(topic, index,
            writers[Math.floorMod(31 * topic.hashCode() + index, writers.length)]));
    }

    /** From now on partitions whose log opens here get meters in {@code r}; those open already get them now. */
    synchronized void bindMeters(MeterRegistry r) {
        registry = r;
        for (Partition p : byName.values()) {
            if (p.log != null && p.meters == null) {
                PartitionMeters.register(r, p);
            }
        }
    }

    /** {@code p}'s log just opened on this broker (it holds a replica): its meters appear. */
    synchronized void logOpened(Partition p) {
        MeterRegistry r = registry;
        if (r != null && p.meters == null) {
            PartitionMeters.register(r, p);
        }
    }

    /**
     * Forgets {@code p} (its topic was deleted): the next partition of that name, of a topic created again, is a new
     * one, bound to the same writer thread.
     */
    void forget(Partition p) {
        byName.remove(p.name, p);
        MeterRegistry r = registry;
        if (r != null) {
            PartitionMeters.remove(r, p);
        }
    }

    /** The writer thread of the partition named {@code topic-index}, whether or not it was seen. */
    ExecutorService writerOf(String topic, int index) {
        return writers[Math.floorMod(31 * topic.hashCode() + index, writers.length)];
    }

    /** Every partition ever seen. */
    Collection<Partition> all() {
        return byName.values();
    }

    /** The partition of the current view, or null. */
    Partition lookup(String topic, int partition) {
        Partition[] ps = partitions.get(topic);
        return ps != null && partition >= 0 && partition < ps.length ? ps[partition] : null;
    }

    /** The partitions of {@code topic} in the current view, or null. */
    Partition[] topicPartitions(String topic) {
        return partitions.get(topic);
    }

    boolean hasTopic(String topic) {
        return partitions.containsKey(topic);
    }

    Map<String, TopicInfo> topics() {
        return topics;
    }

    BrokerInfo broker(int id) {
        return brokers.get(id);
    }

    /** Metadata thread: replaces the view, brokers first and partitions last, as they were always replaced. */
    void install(Map<Integer, BrokerInfo> nextBrokers, Map<String, TopicInfo> nextTopics,
                 Map<String, Partition[]> nextPartitions) {
        brokers = nextBrokers;
        topics = nextTopics;
        partitions = nextPartitions;
    }
}
