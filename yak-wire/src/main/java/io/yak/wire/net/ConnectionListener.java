package io.yak.wire.net;

import io.yak.wire.message.Message;

/**
 * Hooks of one {@link Connection}, all called on the connection's event loop: they must be quick and must not
 * block (update a volatile, enqueue, unpark).
 */
public interface ConnectionListener {
    /**
     * A new channel is connected. The returned request (or null for none) is written before any other request on
     * the channel: the coordinator connection registers the client this way, again after every reconnect.
     */
    default Message handshake() {
        return null;
    }

    /** The answer to {@link #handshake()}; exactly one of the arguments is non-null. Borrowed: do not release. */
    default void handshakeDone(Message response, Throwable error) {
    }

    /**
     * An unsolicited frame (correlation id 0: LEADER_INFO or LEADER_INFO_DELTA). Borrowed: released after the call.
     */
    default void push(Message message) {
    }

    /** The channel closed; in-flight requests have been failed. */
    default void disconnected() {
    }
}
