package io.yak.broker.partition;

import io.netty.buffer.ByteBuf;
import io.yak.wire.ErrorCode;

/**
 * Receives the outcome of one consume, on whichever thread completed it (the caller's, a writer thread that
 * appended new data, or the wait timer). Takes ownership of {@code records} (possibly empty, never null).
 */
@FunctionalInterface
public interface ConsumeCallback {
    void onConsumed(ErrorCode error, long epoch, long highWatermark, long logStartOffset, ByteBuf records);
}
