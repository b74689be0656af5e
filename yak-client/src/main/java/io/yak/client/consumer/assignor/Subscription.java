package io.yak.client.consumer.assignor;

import io.yak.client.TopicPartition;
import java.util.List;

/**
 * What one group member tells the assignor: the topics it subscribes to and, for sticky assignors, the partitions
 * it owns from the generation it was last part of ({@code -1}: none).
 */
public record Subscription(List<String> topics, List<TopicPartition> ownedPartitions, int generation) {
    public Subscription {
        topics = List.copyOf(topics);
        ownedPartitions = List.copyOf(ownedPartitions);
    }

    /** A member that owns nothing yet. */
    public static Subscription of(List<String> topics) {
        return new Subscription(topics, List.of(), -1);
    }
}
