package io.yak.wire.net;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.util.collection.IntObjectHashMap;
import io.netty.util.concurrent.ScheduledFuture;
import io.yak.wire.ErrorCode;
import io.yak.wire.MessageType;
import io.yak.wire.log.LogText;
import io.yak.wire.message.ErrorResponse;
import io.yak.wire.message.Frame;
import io.yak.wire.message.Message;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Last handler of a client channel: matches response frames to {@link InFlight} requests by correlation id,
 * fails requests whose deadline passed (a sweep every {@link #SWEEP_INTERVAL_MS} ms) and fails all of them when
 * the channel closes. {@code ERROR_RESPONSE} fails the matching request with its error code; correlation id 0
 * carries pushes (LEADER_INFO, LEADER_INFO_DELTA) to the {@link ConnectionListener}.
 *
 * <p>Owned by the channel's event loop: {@link #pending} is touched only there, so it needs no lock.
 */
final class ResponseHandler extends ChannelInboundHandlerAdapter {
    static final long SWEEP_INTERVAL_MS = 20;
    private static final Logger LOG = LoggerFactory.getLogger(ResponseHandler.class);

    private final Connection connection;
    /** Requests written on this channel and not yet answered, by correlation id. Event loop only. */
    private final IntObjectHashMap<InFlight> pending = new IntObjectHashMap<>();
    private final List<InFlight> expired = new ArrayList<>();
    private ScheduledFuture<?> sweep;
    private boolean closed;

    ResponseHandler(Connection connection) {
        this.connection = connection;
    }

    void register(InFlight request) {
        if (closed) {
            request.fail(connection.lostFailure(null));
            return;
        }
        pending.put(request.correlationId, request);
    }

    void unregister(InFlight request) {
        if (pending.get(request.correlationId) == request) {
            pending.remove(request.correlationId);
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        sweep = ctx.executor().scheduleAtFixedRate(this::sweep, SWEEP_INTERVAL_MS, SWEEP_INTERVAL_MS,
            TimeUnit.MILLISECONDS);
        ctx.fireChannelActive();
    }

    private void sweep() {
        if (pending.isEmpty()) {
            return;
        }
        long now = System.nanoTime();
        for (InFlight p : pending.values()) {
            if (now - p.deadlineNs >= 0) {
                expired.add(p);
            }
        }
        for (InFlight p : expired) {
            pending.remove(p.correlationId);
            p.fail(connection.failures().requestFailed(ErrorCode.REQUEST_TIMED_OUT,
                "request to " + connection.shownAddress() + " timed out (correlation id " + p.correlationId + ")",
                null));
        }
        expired.clear();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof Frame frame)) {
            io.netty.util.ReferenceCountUtil.release(msg);
            return;
        }
        int id = frame.correlationId();
        Message m = frame.message();
        if (id == 0) {
            push(m);
            return;
        }
        InFlight p = pending.remove(id);
        if (p == null) {
            LOG.debug("{}: response {} to unknown or expired correlation id {}", connection.shownAddress(), m.type(),
                id);
            m.release();
            return;
        }
        if (m instanceof ErrorResponse e) {
            // the server's text may quote what a peer sent: escaped before an application logs it (issue 19)
            p.fail(connection.failures().requestFailed(e.error(), connection.shownAddress() + ": "
                + LogText.safe(e.message()), null));
            return;
        }
        p.complete(m);
    }

    private void push(Message m) {
        try {
            if (m.type() == MessageType.LEADER_INFO || m.type() == MessageType.LEADER_INFO_DELTA) {
                connection.listener().push(m);
            } else if (m instanceof ErrorResponse e) {
                LOG.warn("{} reported {} without a correlation id: {}", connection.shownAddress(), e.error(),
                    LogText.safe(e.message()));
            } else {
                LOG.warn("{} pushed unexpected {}; ignored", connection.shownAddress(), m.type());
            }
        } catch (RuntimeException e) {
            LOG.error("{}: push listener failed on {}", connection.shownAddress(), m.type(), e);
        } finally {
            m.release();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Throwable t = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
        if (t instanceof IOException) {
            LOG.debug("{}: connection failed: {}", connection.shownAddress(), LogText.safe(t.toString()));
        } else {
            LOG.warn("{}: closing connection after bad input: {}", connection.shownAddress(),
                LogText.safe(t.toString()));
        }
        ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        closed = true;
        if (sweep != null) {
            sweep.cancel(false);
        }
        if (!pending.isEmpty()) {
            List<InFlight> all = new ArrayList<>(pending.values());
            pending.clear();
            RuntimeException lost = connection.lostFailure(null);
            for (InFlight p : all) {
                p.fail(lost);
            }
        }
        try {
            connection.listener().disconnected();
        } catch (RuntimeException e) {
            LOG.error("{}: disconnect listener failed", connection.shownAddress(), e);
        }
        ctx.fireChannelInactive();
    }
}
