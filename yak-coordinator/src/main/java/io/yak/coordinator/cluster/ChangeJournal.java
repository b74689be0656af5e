package io.yak.coordinator.cluster;

import io.yak.coordinator.store.CoordinatorSnapshot;
import io.yak.coordinator.store.StateRecord;
import io.yak.wire.message.BrokerInfo;
import io.yak.wire.message.LeaderInfoDelta;
import io.yak.wire.message.PartitionChange;
import io.yak.wire.message.TopicInfo;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What changed in the cluster state since the last {@link #drain}: the records to append to the change log and
 * the LEADER_INFO_DELTA to push, so an ISR change costs one small record and one small push, not the whole state.
 * Partition changes and new topics are noted as they happen ({@link PartitionStates} is the one place a partition
 * changes); brokers, whose persisted fields change only with the cluster epoch, are compared with what was last
 * written when the epoch moved. Owned by the {@link ClusterState}'s thread.
 */
final class ChangeJournal {
    /** A partition, by topic name and number. */
    private record PartitionKey(String topic, int partition) {
    }

    private long baseEpoch;
    private long writtenNextProducerId;
    /** Each known broker as last written. */
    private final Map<Integer, CoordinatorSnapshot.Broker> writtenBrokers = new HashMap<>();
    private final Set<String> newTopics = new LinkedHashSet<>();
    private final Set<PartitionKey> changedPartitions = new LinkedHashSet<>();
    /** Topics deleted, in order; each is dropped from {@link #newTopics} and {@link #changedPartitions}. */
    private final Set<String> deletedTopics = new LinkedHashSet<>();
    /** Offset commits and group deletions, in the order they happened (a deletion removes earlier commits). */
    private final List<StateRecord> offsets = new ArrayList<>();

    /** Starts from the state as it is now, which is what is on disk. */
    ChangeJournal(long epoch, long nextProducerId, Iterable<BrokerEntry> brokers) {
        baseEpoch = epoch;
        writtenNextProducerId = nextProducerId;
        for (BrokerEntry b : brokers) {
            writtenBrokers.put(b.id, b.toStored());
        }
    }

    void topicAdded(String name) {
        newTopics.add(name);
    }

    void partitionChanged(String topic, int partition) {
        if (!newTopics.contains(topic)) {
            changedPartitions.add(new PartitionKey(topic, partition));
        }
    }

    void offsetCommitted(CoordinatorSnapshot.CommittedOffset o) {
        offsets.add(new StateRecord.OffsetRecord(o));
    }

    void groupDeleted(String group) {
        offsets.add(new StateRecord.GroupDeleted(group));
    }

    /** A topic removed: changes of it noted before are void (it and its offsets are gone). */
    void topicDeleted(String name) {
        newTopics.remove(name);
        changedPartitions.removeIf(k -> k.topic().equals(name));
        offsets.removeIf(r -> r instanceof StateRecord.OffsetRecord o && o.offset().topic().equals(name));
        deletedTopics.add(name);
    }

    /**
     * The changes since the last drain, and forgets them.
     *
     * @param epoch             the cluster epoch now
     * @param minInsyncReplicas the cluster's {@code min.insync.replicas}, for the new topics' metadata
     */
    ClusterState.Changes drain(long epoch, long nextProducerId, PartitionStates partitions, BrokerRegistry brokers,
                               int minInsyncReplicas) {
        List<StateRecord> records = new ArrayList<>();
        boolean epochMoved = epoch != baseEpoch;
        if (epochMoved || nextProducerId != writtenNextProducerId) {
            records.add(new StateRecord.Counters(epoch, nextProducerId));
            writtenNextProducerId = nextProducerId;
        }
        List<BrokerInfo> changedBrokers = new ArrayList<>();
        List<Integer> removedBrokers = new ArrayList<>();
        if (epochMoved) {
            Set<Integer> present = new HashSet<>();
            for (BrokerEntry b : brokers.all()) {
                present.add(b.id);
                CoordinatorSnapshot.Broker now = b.toStored();
                if (!now.equals(writtenBrokers.put(b.id, now))) {
                    records.add(new StateRecord.BrokerRecord(now));
                    changedBrokers.add(b.toInfo());
                }
            }
            for (Integer id : new ArrayList<>(writtenBrokers.keySet())) {
                if (!present.contains(id)) {
                    writtenBrokers.remove(id);
                    records.add(new StateRecord.BrokerForgotten(id));
                    removedBrokers.add(id);
                }
            }
        }
        for (String name : deletedTopics) {
            records.add(new StateRecord.TopicDeleted(name));
        }
        List<TopicInfo> topicInfos = new ArrayList<>(newTopics.size());
        for (String name : newTopics) {
            TopicEntry t = partitions.get(name);
            records.add(new StateRecord.TopicRecord(t.toStored()));
            topicInfos.add(t.toInfo(minInsyncReplicas));
        }
        List<PartitionChange> partitionChanges = new ArrayList<>(changedPartitions.size());
        for (PartitionKey k : changedPartitions) {
            PartitionState s = partitions.get(k.topic()).partition(k.partition());
            records.add(new StateRecord.PartitionRecord(k.topic(), k.partition(), s.toStored()));
            partitionChanges.add(new PartitionChange(k.topic(), s.toInfo(k.partition())));
        }
        records.addAll(offsets);
        LeaderInfoDelta delta = epochMoved ? new LeaderInfoDelta(baseEpoch, epoch, changedBrokers, removedBrokers,
            topicInfos, partitionChanges, new ArrayList<>(deletedTopics)) : null;
        deletedTopics.clear();
        baseEpoch = epoch;
        newTopics.clear();
        changedPartitions.clear();
        offsets.clear();
        return new ClusterState.Changes(records, delta);
    }
}
