package io.yak.client.consumer;

import io.yak.client.TopicPartition;
import io.yak.client.YakException;
import java.util.Map;

/**
 * Told when a {@link YakConsumer#commitAsync} completed, as Kafka's callback: on the consumer's thread, from a later
 * {@code poll}, {@code commitSync} or {@code close}, never from the network thread.
 */
@FunctionalInterface
public interface OffsetCommitCallback {
    /**
     * @param offsets   what the call committed
     * @param exception null when every offset is stored; else the first failure (an asynchronous commit is not
     *                  retried: a later commit of newer positions supersedes it)
     */
    void onComplete(Map<TopicPartition, Long> offsets, YakException exception);
}
