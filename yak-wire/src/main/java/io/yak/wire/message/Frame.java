package io.yak.wire.message;

import io.yak.wire.MessageType;

/**
 * A decoded frame: header fields and body. Holds the message's payload reference; see {@link Message#release()}.
 */
public record Frame(short version, int correlationId, Message message) {
    /** A version-1 frame; the common case. */
    public static Frame of(int correlationId, Message message) {
        return new Frame(MessageType.VERSION_1, correlationId, message);
    }

    public MessageType type() {
        return message.type();
    }

    public void release() {
        message.release();
    }
}
