package io.yak.client.consumer;

import io.yak.client.TopicPartition;
import java.util.Collection;

/**
 * Told when a group rebalance moves partitions, as Kafka's listener: called on the thread that polls, from within
 * {@code poll} (and {@code close}), so it may commit offsets or store state for the partitions concerned.
 *
 * <p>With an eager assignor ({@code range}, {@code roundrobin}) every owned partition is revoked before each
 * rebalance and the new assignment is handed out after it. With {@code cooperative-sticky} only the partitions that
 * move are revoked, and the member keeps consuming the rest throughout.
 */
public interface ConsumerRebalanceListener {
    /**
     * The member gives these partitions up; their positions are still valid, so committing them here hands the
     * next owner the exact place to continue.
     */
    void onPartitionsRevoked(Collection<TopicPartition> partitions);

    /** The member owns these partitions from now on (with cooperative-sticky: only the newly added ones). */
    void onPartitionsAssigned(Collection<TopicPartition> partitions);

    /**
     * The member lost these partitions without giving them up: the group already moved on (session or poll timeout
     * passed, fenced), so other members may own them and committing them would be refused. Kafka's default: treat
     * them as revoked.
     */
    default void onPartitionsLost(Collection<TopicPartition> partitions) {
        onPartitionsRevoked(partitions);
    }
}
