package io.yak.client.producer;

import io.yak.client.RecordMetadata;
import java.util.concurrent.CompletableFuture;

/** The future {@link YakProducer#send} returns when no {@link SendCallback} is given. */
final class RecordFuture extends CompletableFuture<RecordMetadata> {
}
