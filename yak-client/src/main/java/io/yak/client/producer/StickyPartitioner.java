package io.yak.client.producer;

import io.yak.wire.message.PartitionInfo;
import io.yak.wire.message.TopicInfo;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Chooses partitions for records without a key the way Kafka's sticky partitioner (KIP-480) does: every such
 * record of a topic goes to the same partition until a new batch has to be started or the metadata says that
 * partition lost its leader; then a different partition is picked at random among those with a leader (among all
 * when none has one). Fills batches, so null-key records get few, large requests while still spreading over
 * partitions.
 *
 * <p>Thread-safe: called by every thread that sends.
 */
final class StickyPartitioner {
    private final ConcurrentHashMap<String, Integer> current = new ConcurrentHashMap<>();
    private final Random random;

    StickyPartitioner(Random random) {
        this.random = random;
    }

    /**
     * The sticky partition of the topic, choosing one on first use, and moving on when the metadata says the sticky
     * partition lost its leader while another partition has one: records without a key then go where they can be
     * stored, instead of waiting in the dead leader's batch until they expire (records already in that batch stay
     * in it, as records once given a partition do).
     */
    int partition(TopicInfo topic) {
        Integer p = current.get(topic.name());
        if (p == null || p >= topic.partitionCount()) {
            return nextPartition(topic, -1);
        }
        if (topic.partition(p).online() || !anyOnline(topic)) {
            return p;
        }
        return nextPartition(topic, p);
    }

    private static boolean anyOnline(TopicInfo topic) {
        for (PartitionInfo p : topic.partitions()) {
            if (p.online()) {
                return true;
            }
        }
        return false;
    }

    /**
     * A new batch is needed for {@code previous}: moves the topic's sticky partition away from it (unless another
     * thread already did).
     *
     * @return the new sticky partition
     */
    int nextPartition(TopicInfo topic, int previous) {
        String name = topic.name();
        while (true) {
            Integer old = current.get(name);
            if (old != null && old != previous && old < topic.partitionCount()) {
                return old;
            }
            int next = choose(topic, previous);
            boolean swapped = old == null ? current.putIfAbsent(name, next) == null : current.replace(name, old, next);
            if (swapped) {
                return next;
            }
        }
    }

    private int choose(TopicInfo topic, int previous) {
        int n = topic.partitionCount();
        if (n == 1) {
            return 0;
        }
        int online = 0;
        boolean previousOnline = false;
        for (PartitionInfo p : topic.partitions()) {
            if (p.online()) {
                online++;
                previousOnline |= p.partition() == previous;
            }
        }
        if (online == 0 || (online == 1 && previousOnline)) {
            return pickExcluding(n, previous);
        }
        int candidates = previousOnline ? online - 1 : online;
        int k = random.nextInt(candidates);
        for (PartitionInfo p : topic.partitions()) {
            if (p.online() && p.partition() != previous) {
                if (k-- == 0) {
                    return p.partition();
                }
            }
        }
        throw new IllegalStateException("no partition chosen among " + candidates + " of " + topic.name());
    }

    private int pickExcluding(int n, int previous) {
        if (previous < 0 || previous >= n) {
            return random.nextInt(n);
        }
        int k = random.nextInt(n - 1);
        return k >= previous ? k + 1 : k;
    }
}
