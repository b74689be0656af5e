package io.yak.wire.codec;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;

/**
 * Decides whether a server reads from one connection. Reading stops while any {@link Reason} holds and resumes
 * when the last one clears, so handlers that stop reading for different reasons cannot undo each other. The gate
 * also remembers since when the server has been reading, so a timer that judges the peer (a frame left incomplete)
 * never counts time the server itself was not reading (issue 19: consumers that never read were closed for
 * "incomplete frame" when it was the broker that had stopped reading their requests).
 *
 * <p>One per channel, kept in a channel attribute ({@link #install}, {@link #of}); used on the channel's event
 * loop only.
 */
public final class ReadGate {
    /** Why a server stopped reading from a peer. */
    public enum Reason {
        /** The connection has as many requests in flight as it may. */
        IN_FLIGHT,
        /** Its responses are not drained (the channel is not writable). */
        UNWRITABLE,
        /** The server's memory for requests being read ({@link RequestMemoryPool}) is used up. */
        MEMORY
    }

    private static final AttributeKey<ReadGate> KEY = AttributeKey.valueOf(ReadGate.class, "gate");

    private final Channel channel;
    private int reasons;
    private long readingSinceNs;
    /** Registered with the memory pool, waiting for memory; so it registers once. */
    boolean waitingForMemory;

    private ReadGate(Channel channel) {
        this.channel = channel;
        this.readingSinceNs = now();
    }

    /** The event loop's clock, which tests can advance ({@code EmbeddedChannel.advanceTimeBy}). */
    private long now() {
        return channel.eventLoop().ticker().nanoTime();
    }

    /** Creates the channel's gate; a server's pipeline initializer calls it first. */
    public static ReadGate install(Channel channel) {
        ReadGate gate = new ReadGate(channel);
        if (channel.attr(KEY).setIfAbsent(gate) != null) {
            throw new IllegalStateException("read gate installed twice on " + channel);
        }
        return gate;
    }

    /** The channel's gate, or null on a channel without one (a client's). */
    public static ReadGate of(Channel channel) {
        return channel.attr(KEY).get();
    }

    public Channel channel() {
        return channel;
    }

    /** Stops reading for {@code reason} (no-op if it already holds). */
    public void pause(Reason reason) {
        int bit = 1 << reason.ordinal();
        if (reasons == 0) {
            channel.config().setAutoRead(false);
        }
        reasons |= bit;
    }

    /** Clears {@code reason}; reading resumes when no other reason holds. */
    public void resume(Reason reason) {
        int bit = 1 << reason.ordinal();
        if ((reasons & bit) == 0) {
            return;
        }
        reasons &= ~bit;
        if (reasons == 0) {
            readingSinceNs = now();
            channel.config().setAutoRead(true);
        }
    }

    /** Pauses or resumes for {@code reason}. */
    public void set(Reason reason, boolean paused) {
        if (paused) {
            pause(reason);
        } else {
            resume(reason);
        }
    }

    public boolean isPaused(Reason reason) {
        return (reasons & (1 << reason.ordinal())) != 0;
    }

    /** True when no reason holds: the server reads from this peer. */
    public boolean reading() {
        return reasons == 0;
    }

    /** The event loop's ticker time when reading last resumed (or the gate was installed). */
    public long readingSinceNs() {
        return readingSinceNs;
    }
}
