package io.yak.coordinator.net;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import io.yak.wire.ErrorCode;
import io.yak.wire.MessageType;
import io.yak.wire.codec.ReadGate;
import io.yak.wire.log.LogText;
import io.yak.wire.log.RejectReason;
import io.yak.wire.log.RejectionLog;
import io.yak.wire.message.ErrorResponse;
import io.yak.wire.message.Frame;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands each decoded request of one connection to the {@link RequestProcessor} and writes its answers back. One
 * instance per connection; its counters are touched on the connection's event loop only. A frame the coordinator
 * does not serve never reaches the state thread: it is answered {@code INVALID_REQUEST} here, or, for an
 * {@code ERROR_RESPONSE}, not answered at all (WIRE.md, "Errors and closing", rule 6); both are counted and logged
 * through the server's {@link RejectionLog}.
 *
 * <p>Backpressure: at most {@value #MAX_IN_FLIGHT} requests of a connection are queued or being answered (the
 * {@link ReadGate}; the server front stops reading from a peer whose outbound buffer is full).
 */
final class CoordinatorRequestHandler extends ChannelInboundHandlerAdapter implements Responder {
    static final int MAX_IN_FLIGHT = 128;
    private static final Logger LOG = LoggerFactory.getLogger(CoordinatorRequestHandler.class);

    private final long connectionId;
    private final RequestProcessor processor;
    private final Broadcaster broadcaster;
    private final RejectionLog rejections;
    private Channel channel;
    private ReadGate gate;
    /** Requests submitted and not yet answered; event loop only. */
    private int inFlight;

    CoordinatorRequestHandler(long connectionId, RequestProcessor processor, Broadcaster broadcaster,
                              RejectionLog rejections) {
        this.connectionId = connectionId;
        this.processor = processor;
        this.broadcaster = broadcaster;
        this.rejections = rejections;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        channel = ctx.channel();
        gate = ReadGate.of(channel);
        if (gate == null) {
            throw new IllegalStateException("CoordinatorRequestHandler needs a ReadGate on " + channel);
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof Frame frame)) {
            ReferenceCountUtil.release(msg);
            throw new IllegalStateException("expected a decoded Frame, got " + msg.getClass().getName());
        }
        if (frame.type() == MessageType.ERROR_RESPONSE) {
            ErrorResponse error = (ErrorResponse) frame.message();
            frame.release();
            rejections.reject(channel.remoteAddress(), RejectReason.ERROR_RESPONSE_RECEIVED, "ignored "
                + error.error() + " (correlation id " + frame.correlationId() + "): " + LogText.safe(error.message()));
            return;
        }
        if (!RequestProcessor.serves(frame.type())) {
            frame.release();
            rejections.reject(channel.remoteAddress(), RejectReason.INVALID_REQUEST, "answered INVALID_REQUEST: "
                + frame.type() + " is not served by the coordinator");
            ctx.writeAndFlush(Frame.of(frame.correlationId(), new ErrorResponse(ErrorCode.INVALID_REQUEST,
                "the coordinator does not serve " + frame.type())), ctx.voidPromise());
            return;
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
        broadcaster.writabilityChanged(ctx.channel());
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        processor.connectionClosed(connectionId);
        ctx.fireChannelInactive();
    }

    private void updateAutoRead() {
        gate.set(ReadGate.Reason.IN_FLIGHT, inFlight >= MAX_IN_FLIGHT);
    }
}
