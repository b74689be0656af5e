package io.yak.broker.partition;

import io.netty.util.Timeout;
import io.yak.broker.replica.DelayedPublishes;

/** An acks=all publish waiting for the high watermark: its answer and the timer of its request timeout. */
final class DelayedPublish {
    final PublishCallback callback;
    final long baseOffset;
    DelayedPublishes.Entry<DelayedPublish> entry;
    Timeout timer;

    DelayedPublish(PublishCallback callback, long baseOffset) {
        this.callback = callback;
        this.baseOffset = baseOffset;
    }
}
