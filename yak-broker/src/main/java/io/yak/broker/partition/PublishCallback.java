package io.yak.broker.partition;

import io.yak.wire.ErrorCode;

/**
 * Receives the outcome of one publish. {@link #onPublished} runs on the caller's thread before
 * {@link PartitionManager#publish} returns; {@link #onPublishedLater} on another thread afterwards (a writer thread,
 * the thread that advanced the high watermark for an acks=all publish, a timer), possibly an event loop.
 */
@FunctionalInterface
public interface PublishCallback {
    void onPublished(ErrorCode error, long epoch, long baseOffset, long logStartOffset);

    default void onPublishedLater(ErrorCode error, long epoch, long baseOffset, long logStartOffset) {
        onPublished(error, epoch, baseOffset, logStartOffset);
    }
}
