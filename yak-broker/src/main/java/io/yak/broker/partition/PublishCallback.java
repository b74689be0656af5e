package io.yak.broker.partition;

import io.yak.wire.ErrorCode;

/** Receives the outcome of one publish, on the partition's writer thread or the caller's thread. */
@FunctionalInterface
public interface PublishCallback {
    void onPublished(ErrorCode error, long epoch, long baseOffset, long logStartOffset);
}
