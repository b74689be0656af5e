package io.yak.client;

/**
 * Where an acknowledged record was stored. {@code offset} is -1 when the producer sent with {@code acks=0} (no
 * answer, so no offset). {@code timestamp} is the record's timestamp in epoch milliseconds as sent.
 */
public record RecordMetadata(String topic, int partition, long offset, long timestamp) {
}
