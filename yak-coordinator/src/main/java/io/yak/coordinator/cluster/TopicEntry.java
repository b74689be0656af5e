package io.yak.coordinator.cluster;

import io.yak.coordinator.store.CoordinatorSnapshot;
import io.yak.wire.config.TopicConfigs;
import io.yak.wire.message.PartitionInfo;
import io.yak.wire.message.TopicInfo;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One topic: its partitions' states and its per-topic configs, fixed at creation. Each partition's state is an
 * immutable {@link PartitionState}, replaced whole in its slot by {@link PartitionStates#apply} (the only writer).
 * Owned by the thread that owns the {@link ClusterState}.
 */
final class TopicEntry {
    final String name;
    /** Element p is partition p's current state; the count never changes. */
    private final PartitionState[] partitions;
    /** Validated per-topic configs (keys of TopicConfigs), unmodifiable and sorted by key; never change. */
    final SortedMap<String, String> configs;
    /** The cluster epoch the topic was created at (0: stored before topics had ids); see TopicInfo.topicId. */
    final long topicId;

    TopicEntry(String name, List<PartitionState> partitions, Map<String, String> configs, long topicId) {
        if (partitions.isEmpty()) {
            throw new IllegalStateException("topic " + name + " without partitions");
        }
        this.name = name;
        this.partitions = partitions.toArray(new PartitionState[0]);
        this.configs = Collections.unmodifiableSortedMap(new TreeMap<>(configs));
        this.topicId = topicId;
    }

    int partitionCount() {
        return partitions.length;
    }

    PartitionState partition(int p) {
        return partitions[p];
    }

    /** Replaces partition p's state; only {@link PartitionStates#apply} calls it, so every change is logged. */
    void set(int p, PartitionState state) {
        partitions[p] = state;
    }

    /** The topic as the state file and the change log store it: its own configs only. */
    CoordinatorSnapshot.Topic toStored() {
        List<CoordinatorSnapshot.Partition> ps = new ArrayList<>(partitions.length);
        for (PartitionState s : partitions) {
            ps.add(s.toStored());
        }
        return new CoordinatorSnapshot.Topic(name, ps, configs, topicId);
    }

    /** The value of config {@code key} as a number, or {@code defaultValue} when the topic does not set it. */
    long longConfig(String key, long defaultValue) {
        String v = configs.get(key);
        return v == null ? defaultValue : Long.parseLong(v);
    }

    /**
     * The topic as the metadata lists it. Its configs carry {@code min.insync.replicas} always, the cluster's when
     * the topic sets none, so every leader applies the value the coordinator's eligible-leader rule assumes.
     */
    TopicInfo toInfo(int clusterMinInsyncReplicas) {
        List<PartitionInfo> infos = new ArrayList<>(partitions.length);
        for (int p = 0; p < partitions.length; p++) {
            infos.add(partitions[p].toInfo(p));
        }
        SortedMap<String, String> effective = configs;
        if (!configs.containsKey(TopicConfigs.MIN_INSYNC_REPLICAS)) {
            effective = new TreeMap<>(configs);
            effective.put(TopicConfigs.MIN_INSYNC_REPLICAS, Integer.toString(clusterMinInsyncReplicas));
        }
        return new TopicInfo(name, infos, effective, topicId);
    }
}
