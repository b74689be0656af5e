package io.yak.coordinator.net;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import io.yak.wire.message.Frame;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands each decoded frame of one connection to the {@link RequestProcessor} and writes its answers back. One
 * instance per connection; its counters are touched on the connection's event loop only.
 *
 * <p>Backpressure: at most {@value #MAX_IN_FLIGHT} requests of a connection are queued or being answered, and
 * nothing is read from a peer whose outbound buffer is full (not writable); reading resumes when both clear.
 */
final class CoordinatorRequestHandler extends ChannelInboundHandlerAdapter implements Responder {
    static final int MAX_IN_FLIGHT = 128;
    private static final Logger LOG = LoggerFactory.getLogger(CoordinatorRequestHandler.class);

    private final long connectionId;
    private final RequestProcessor processor;
    private final Broadcaster broadcaster;
    private Channel channel;
    /** Requests submitted and not yet answered; event loop only. */
    private int inFlight;

    CoordinatorRequestHandler(long connectionId, RequestProcessor processor, Broadcaster broadcaster) {
        this.connectionId = connectionId;
        this.processor = processor;
        this.broadcaster = broadcaster;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        channel = ctx.channel();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof Frame frame)) {
            ReferenceCountUtil.release(msg);
            throw new IllegalStateException("expected a decoded Frame, got " + msg.getClass().getName());
        }
        inFlight++;
        updateAutoRead();
        processor.submit(this, connectionId, frame);
    }

    @Override
    public Channel channel() {
        return channel;
    }

    @Override
    public void respond(Frame response) {
        onEventLoop(() -> {
            if (channel.isActive()) {
                channel.writeAndFlush(response, channel.voidPromise());
            }
            inFlight--;
            updateAutoRead();
        });
    }

    @Override
    public void fail(Frame response) {
        onEventLoop(() -> channel.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE));
    }

    private void onEventLoop(Runnable task) {
        try {
            channel.eventLoop().execute(task);
        } catch (RejectedExecutionException e) {
            LOG.debug("cannot answer {}: its event loop is shut down", channel.remoteAddress());
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        updateAutoRead();
        broadcaster.writabilityChanged(ctx.channel());
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        processor.connectionClosed(connectionId);
        ctx.fireChannelInactive();
    }

    private void updateAutoRead() {
        boolean read = inFlight < MAX_IN_FLIGHT && channel.isWritable();
        if (channel.config().isAutoRead() != read) {
            channel.config().setAutoRead(read);
        }
    }
}
