package io.yak.coordinator.cluster;

import io.yak.coordinator.store.CoordinatorSnapshot;
import io.yak.wire.config.TopicConfigs;
import java.util.ArrayList;
import java.util.List;

/**
 * Copies between the cluster state's pieces and a {@link CoordinatorSnapshot}, the persisted form (STATE.md,
 * "What is stored"): {@link #take} copies out everything to persist; {@link #load} fills empty pieces from a
 * snapshot, checking the invariants across its records (every replica a stored broker, every config valid, no topic
 * twice). The epoch and the producer id counter, and what a restore does after loading, stay with the
 * {@link ClusterState}. Stateless; called on the thread that owns the {@link ClusterState}.
 */
final class ClusterSnapshots {
    private ClusterSnapshots() {
    }

    /**
     * Fills the empty {@code brokers}, {@code partitions} and {@code offsets} with what {@code snapshot} stores.
     *
     * @throws IllegalStateException when the snapshot breaks an invariant (a partition on an unknown broker, ...)
     */
    static void load(CoordinatorSnapshot snapshot, BrokerRegistry brokers, PartitionStates partitions,
                     CommittedOffsets offsets, long nowMs) {
        for (CoordinatorSnapshot.Broker b : snapshot.brokers()) {
            brokers.restore(b.id(), b.host(), b.port(), b.incarnationId(), b.brokerEpoch(), b.alive(), nowMs);
        }
        for (CoordinatorSnapshot.Topic t : snapshot.topics()) {
            List<PartitionState> states = new ArrayList<>(t.partitions().size());
            for (int p = 0; p < t.partitions().size(); p++) {
                states.add(restorePartition(brokers, t.name(), p, t.partitions().get(p)));
            }
            String configProblem = TopicConfigs.problem(t.configs());
            if (configProblem != null) {
                throw new IllegalStateException("topic " + t.name() + " stored with an invalid config: "
                    + configProblem);
            }
            if (partitions.contains(t.name())) {
                throw new IllegalStateException("topic " + t.name() + " stored twice");
            }
            partitions.add(new TopicEntry(t.name(), states, t.configs(), t.topicId()));
        }
        for (CoordinatorSnapshot.CommittedOffset o : snapshot.offsets()) {
            offsets.restore(o);
        }
    }

    private static PartitionState restorePartition(BrokerRegistry brokers, String topic, int p,
                                                   CoordinatorSnapshot.Partition stored) {
        String problem = CoordinatorSnapshot.Partition.problem(stored.replicas(), stored.isr(), stored.leader(),
            stored.leaderEpoch(), stored.partitionEpoch(), stored.eligibleLeaders());
        if (problem != null) {
            throw new IllegalStateException("partition " + topic + "-" + p + ": " + problem);
        }
        for (int r : stored.replicas()) {
            BrokerEntry replica = brokers.get(r);
            if (replica == null) {
                throw new IllegalStateException("partition " + topic + "-" + p + " has a replica on unknown broker "
                    + r);
            }
            replica.replicaCount++;
        }
        return new PartitionState(stored.replicas(), stored.isr(), stored.leader(), stored.leaderEpoch(),
            stored.partitionEpoch(), stored.eligibleLeaders());
    }

    /** Everything to persist, as of now. Copies; cost grows with the number of partitions and committed offsets. */
    static CoordinatorSnapshot take(long epoch, long nextProducerId, BrokerRegistry brokers,
                                    PartitionStates partitions, CommittedOffsets offsets) {
        List<CoordinatorSnapshot.Broker> bs = new ArrayList<>(brokers.size());
        for (BrokerEntry b : brokers.all()) {
            bs.add(b.toStored());
        }
        List<CoordinatorSnapshot.Topic> ts = new ArrayList<>(partitions.size());
        for (TopicEntry t : partitions.all()) {
            ts.add(t.toStored());
        }
        return new CoordinatorSnapshot(epoch, nextProducerId, bs, ts, offsets.snapshot());
    }
}
