package io.yak.client.consumer.assignor;

import io.yak.client.TopicPartition;
import java.util.List;
import java.util.Map;

/**
 * Splits the partitions of the topics a group subscribes to among its members, as Kafka's
 * {@code ConsumerPartitionAssignor}: pure, deterministic for the same input (members are ordered by id), and every
 * member gets an entry, empty when it gets nothing.
 */
public interface PartitionAssignor {
    /** The name members announce in {@code partition.assignment.strategy}. */
    String name();

    /**
     * @param partitionsPerTopic partition count of every topic some member subscribes to (topics missing here do not
     *                           exist and get no partitions)
     * @param subscriptions      by member id
     * @return the partitions of each member, by member id
     */
    Map<String, List<TopicPartition>> assign(Map<String, Integer> partitionsPerTopic,
                                             Map<String, Subscription> subscriptions);

    /**
     * Cooperative assignors (Kafka's KIP-429) never hand a partition to a new owner in the generation that takes it
     * from its old one: the old owner revokes it first, and a follow-up rebalance gives it out.
     */
    default boolean cooperative() {
        return false;
    }
}
