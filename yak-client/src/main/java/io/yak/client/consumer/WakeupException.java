package io.yak.client.consumer;

import io.yak.client.YakException;

/**
 * Thrown on the thread using a {@link YakConsumer} by the blocking call ({@code poll}, {@code position},
 * {@code commitSync}, {@code committed}, {@code offsetsForTimes}, {@code seekToTimestamp}) that was in progress,
 * or else by the next one, after another thread called {@link YakConsumer#wakeup()}: once per wake-up.
 *
 * <p>A plain {@link RuntimeException}, not a {@link YakException}: nothing failed and no {@code ErrorCode} applies,
 * and a {@code catch (YakException e)} that retries operating errors must not swallow a request to stop. (Kafka's
 * {@code WakeupException} extends {@code KafkaException}; code that relies on that catches this one by name.)
 */
public final class WakeupException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public WakeupException(String message) {
        super(message);
    }
}
