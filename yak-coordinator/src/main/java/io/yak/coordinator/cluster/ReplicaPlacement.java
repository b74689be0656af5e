package io.yak.coordinator.cluster;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Places the replicas of a new topic, as a pure function (WIRE.md, {@code CREATE_TOPIC_RESPONSE}): the eligible
 * brokers sorted by id, partition i gets the {@code replicationFactor} brokers at positions
 * {@code (s + i) .. (s + i + rf - 1)} modulo their number, where {@code s} is the position of the broker leading
 * the fewest partitions now (ties: the lowest id). The first replica of each partition is its preferred leader, so
 * within a topic the preferred leaders go round all brokers, and each new topic starts at the least loaded one:
 * across topics the leaders spread too (Kafka's rack-unaware assignment, with a load-chosen start instead of a random
 * one, so placement is deterministic and testable).
 */
final class ReplicaPlacement {
    private ReplicaPlacement() {
    }

    /**
     * @param partitions        at least 1
     * @param replicationFactor at least 1, at most {@code brokers.size()}
     * @param brokers           the eligible broker ids, sorted ascending, distinct
     * @param load              partitions each broker leads now (plus those it reports it cannot serve); absent = 0
     * @return per partition, its replicas, the preferred leader first
     */
    static List<List<Integer>> place(int partitions, int replicationFactor, List<Integer> brokers,
                                     Map<Integer, Integer> load) {
        int n = brokers.size();
        if (partitions < 1 || replicationFactor < 1 || replicationFactor > n) {
            throw new IllegalStateException("cannot place " + partitions + " partitions with replication factor "
                + replicationFactor + " on brokers " + brokers);
        }
        int start = 0;
        for (int i = 1; i < n; i++) {
            if (load.getOrDefault(brokers.get(i), 0) < load.getOrDefault(brokers.get(start), 0)) {
                start = i;
            }
        }
        List<List<Integer>> placed = new ArrayList<>(partitions);
        for (int p = 0; p < partitions; p++) {
            List<Integer> replicas = new ArrayList<>(replicationFactor);
            for (int r = 0; r < replicationFactor; r++) {
                replicas.add(brokers.get((int) (((long) start + p + r) % n)));
            }
            placed.add(List.copyOf(replicas));
        }
        return placed;
    }
}
