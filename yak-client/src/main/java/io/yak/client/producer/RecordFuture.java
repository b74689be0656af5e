package io.yak.client.producer;

import io.yak.client.RecordMetadata;
import java.util.concurrent.CompletableFuture;

/**
 * The future {@link YakProducer#send} returns; it also carries the record's timestamp, so a record needs no other
 * object while it waits in a batch.
 */
final class RecordFuture extends CompletableFuture<RecordMetadata> {
    long timestamp;
}
