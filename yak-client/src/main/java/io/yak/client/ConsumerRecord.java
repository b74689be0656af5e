package io.yak.client;

/**
 * One record returned by {@code YakConsumer.poll}. {@code key} and {@code value} are copies owned by the caller
 * (null when the record had none); {@code timestamp} is in epoch milliseconds.
 */
public record ConsumerRecord(String topic, int partition, long offset, long timestamp, byte[] key, byte[] value) {
}
