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

    /**
     * The reasons that are the server's doing: time spent stopped for them does not count against a peer's frame.
     * IN_FLIGHT is the peer's own doing (it sent that many requests), so its frames' clocks keep running.
     */
    private static final int SERVER_REASONS = 1 << Reason.UNWRITABLE.ordinal() | 1 << Reason.MEMORY.ordinal();

    private final Channel channel;
    private int reasons;
    /** Total ticker time the server stopped reading for its own reasons, up to {@link #serverStopSinceNs}. */
    private long serverStoppedNs;
    /** Ticker time since which a server reason holds; meaningful while one does. */
    private long serverStopSinceNs;
    /** Registered with the memory pool, waiting for memory; so it registers once. */
    boolean waitingForMemory;
    /** The frame length its decoder could not reserve, which the pool reserves for it when memory frees. */
    int wantedBytes;
    /** Reserved by the pool for this connection and not yet taken by its decoder. */
    int grantedBytes;

    private ReadGate(Channel channel) {
        this.channel = channel;
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
        if ((reasons & SERVER_REASONS) == 0 && (bit & SERVER_REASONS) != 0) {
            serverStopSinceNs = now();
        }
        reasons |= bit;
    }

    /** Clears {@code reason}; reading resumes when no other reason holds. */
    public void resume(Reason reason) {
        int bit = 1 << reason.ordinal();
        if ((reasons & bit) == 0) {
            return;
        }
        boolean serverStopped = (reasons & SERVER_REASONS) != 0;
        reasons &= ~bit;
        if (serverStopped && (reasons & SERVER_REASONS) == 0) {
            serverStoppedNs += now() - serverStopSinceNs;
        }
        if (reasons == 0) {
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

    /** True while the server stopped reading for its own reasons (memory, responses not drained). */
    public boolean serverStopped() {
        return (reasons & SERVER_REASONS) != 0;
    }

    /**
     * Ticker time the server has spent stopped for its own reasons since the gate was installed, the current stop
     * included: a frame's deadline moves by the growth of this total (issue 19: a peer must not be blamed for the
     * server's stops, nor get a fresh deadline from each one).
     */
    public long serverStoppedNs() {
        return serverStopped() ? serverStoppedNs + now() - serverStopSinceNs : serverStoppedNs;
    }
}
