package io.yak.coordinator.cluster;

import io.yak.wire.message.PartitionInfo;
import io.yak.wire.message.TopicInfo;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One topic's partitions: the broker each is assigned to (its only replica), its current leader and leader epoch;
 * and its per-topic configs, fixed at creation. Mutable; owned by the thread that owns the {@link ClusterState}.
 *
 * <p>Invariant, per partition p: {@code leaders[p]} is either {@link PartitionInfo#NO_LEADER} or
 * {@code replicas[p]} (one replica per partition: only its replica can lead it), and {@code leaderEpochs[p]}
 * never decreases.
 */
final class TopicEntry {
    final String name;
    final int[] replicas;
    final int[] leaders;
    final int[] leaderEpochs;
    /** Validated per-topic configs (keys of TopicConfigs), unmodifiable and sorted by key; never change. */
    final SortedMap<String, String> configs;

    TopicEntry(String name, int[] replicas, int[] leaders, int[] leaderEpochs, Map<String, String> configs) {
        if (replicas.length != leaders.length || replicas.length != leaderEpochs.length || replicas.length == 0) {
            throw new IllegalStateException("topic " + name + ": inconsistent partition arrays " + replicas.length
                + "/" + leaders.length + "/" + leaderEpochs.length);
        }
        this.name = name;
        this.replicas = replicas;
        this.leaders = leaders;
        this.leaderEpochs = leaderEpochs;
        this.configs = Collections.unmodifiableSortedMap(new TreeMap<>(configs));
    }

    int partitionCount() {
        return replicas.length;
    }

    TopicInfo toInfo() {
        List<PartitionInfo> partitions = new ArrayList<>(replicas.length);
        for (int p = 0; p < replicas.length; p++) {
            partitions.add(new PartitionInfo(p, leaders[p], replicas[p], leaderEpochs[p]));
        }
        return new TopicInfo(name, partitions, configs);
    }
}
