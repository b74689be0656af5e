package io.yak.wire.message;

import io.netty.buffer.ByteBuf;
import io.yak.wire.MessageType;

/**
 * One decoded frame body. Each implementation mirrors one table of {@code WIRE.md}.
 *
 * <p>A message may end in a payload of record batches ({@link #payload()}): it is written to the socket as its own
 * buffer so stored bytes are never copied. A message with a payload owns one reference to it; whoever holds the
 * message last calls {@link #release()}.
 */
public interface Message {
    MessageType type();

    /** Writes every field before the payload. */
    void writeBody(ByteBuf out);

    /** The trailing record-batch bytes, or null. */
    default ByteBuf payload() {
        return null;
    }

    /** Releases the payload, if any. */
    default void release() {
        ByteBuf p = payload();
        if (p != null) {
            p.release();
        }
    }
}
