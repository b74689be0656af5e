package io.yak.wire.codec;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.ChannelDuplexHandler;
import io.yak.wire.log.RejectReason;
import io.yak.wire.log.RejectionLog;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * First handler of a server pipeline: stops reading requests from a peer whose responses pile up (the channel is
 * not writable), resumes when they drain, and closes the connection when the peer has read none of them for
 * {@code response.write.timeout.ms} (a slow reader that makes progress is left alone), saying what it is: a peer that does not read its responses (issue 19: such
 * peers were closed for an "incomplete frame" they never sent, because the server had stopped reading).
 *
 * <p>It also makes the {@link ReadGate} hold: a read requested while the gate is closed is dropped. Without that,
 * Netty's {@code ByteToMessageDecoder} asks for one more read after every read that produced no frame when auto-read
 * is off, and a connection stopped for lack of request memory would go on filling its buffer.
 *
 * <p>One instance per channel, on its event loop; at most one timer per channel, armed when the channel turns
 * unwritable and re-armed only while it stays so.
 */
public final class SlowReaderGuard extends ChannelDuplexHandler {
    private final long timeoutNs;
    private final long timeoutMs;
    private final RejectionLog rejections;
    private ReadGate gate;
    /**
     * Ticker time since which the peer has read nothing: when the channel turned unwritable, moved on at each check
     * that finds fewer bytes waiting (a slow reader is still a reader). Meaningful while it is not writable.
     */
    private long stalledSinceNs;
    /** Bytes waiting at that time, and bytes written since while unwritable: what is gone of them was read. */
    private long pendingAtStall;
    private long addedSinceStall;
    /** Times the channel turned unwritable: a write that causes it is already in {@link #pendingAtStall}. */
    private int stalls;
    private ScheduledFuture<?> timer;
    private ChannelHandlerContext ctx;

    /** @param responseWriteTimeoutMs {@code response.write.timeout.ms} */
    public SlowReaderGuard(long responseWriteTimeoutMs, RejectionLog rejections) {
        if (responseWriteTimeoutMs <= 0) {
            throw new IllegalArgumentException("responseWriteTimeoutMs " + responseWriteTimeoutMs + " <= 0");
        }
        this.timeoutMs = responseWriteTimeoutMs;
        this.timeoutNs = TimeUnit.MILLISECONDS.toNanos(responseWriteTimeoutMs);
        this.rejections = rejections;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        gate = ReadGate.of(ctx.channel());
        if (gate == null) {
            throw new IllegalStateException("SlowReaderGuard needs a ReadGate on " + ctx.channel());
        }
    }

    /** Counts what is written while the peer lags, so that its reading shows even as answers keep coming. */
    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (timer == null) {
            ctx.write(msg, promise);
            return;
        }
        long before = pending(ctx.channel());
        int stallsBefore = stalls;
        ctx.write(msg, promise);
        if (stalls == stallsBefore) {
            addedSinceStall += Math.max(0, pending(ctx.channel()) - before); // as the buffer counts, overhead included
        }
    }

    @Override
    public void read(ChannelHandlerContext ctx) {
        if (gate.reading()) {
            ctx.read();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        boolean writable = ctx.channel().isWritable();
        gate.set(ReadGate.Reason.UNWRITABLE, !writable);
        if (!writable) {
            stalls++;
            stalledSinceNs = ctx.executor().ticker().nanoTime();
            pendingAtStall = pending(ctx.channel());
            addedSinceStall = 0;
            if (timer == null) {
                timer = ctx.executor().schedule(this::check, timeoutNs, TimeUnit.NANOSECONDS);
            }
        }
        ctx.fireChannelWritabilityChanged();
    }

    private void check() {
        timer = null;
        Channel ch = ctx.channel();
        if (!ch.isActive() || ch.isWritable()) {
            return;
        }
        long now = ctx.executor().ticker().nanoTime();
        long pending = pending(ch);
        if (pending < pendingAtStall + addedSinceStall) {
            stalledSinceNs = now; // it read some: not stalled, only slow
        }
        pendingAtStall = pending;
        addedSinceStall = 0;
        long stalledNs = now - stalledSinceNs;
        if (stalledNs < timeoutNs) {
            timer = ctx.executor().schedule(this::check, timeoutNs - stalledNs, TimeUnit.NANOSECONDS);
            return;
        }
        rejections.reject(ch.remoteAddress(), RejectReason.RESPONSES_NOT_READ, "closing the connection: the peer "
            + "has read none of its responses for " + TimeUnit.NANOSECONDS.toMillis(stalledNs) + " ms (" + pending
            + " bytes waiting; response.write.timeout.ms " + timeoutMs + ")");
        ch.close();
    }

    private static long pending(Channel ch) {
        var outbound = ch.unsafe().outboundBuffer();
        return outbound == null ? 0 : outbound.totalPendingWriteBytes();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
        ctx.fireChannelInactive();
    }
}
