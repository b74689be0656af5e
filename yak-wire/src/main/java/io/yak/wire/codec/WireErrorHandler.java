package io.yak.wire.codec;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.yak.wire.ErrorCode;
import io.yak.wire.WireException;
import io.yak.wire.log.RejectReason;
import io.yak.wire.log.RejectionLog;
import io.yak.wire.message.ErrorResponse;
import io.yak.wire.message.Frame;
import java.io.IOException;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Last inbound handler of a server pipeline. A {@link WireException} (bad frame from the peer) is answered with an
 * {@code ERROR_RESPONSE} carrying the correlation id when it was readable, counted and logged through the server's
 * {@link RejectionLog} (rate-limited per host and reason), and the connection closed after the answer is flushed.
 * I/O errors close quietly; anything else is a bug, logged at ERROR, and closes only this connection.
 */
@ChannelHandler.Sharable
public final class WireErrorHandler extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(WireErrorHandler.class);
    /**
     * Longest error text sent back, in chars (at most 3 UTF-8 bytes each): an ERROR_RESPONSE string may hold 32767
     * bytes, and an answer that cannot be encoded would leave the peer without one. The log keeps the full text.
     */
    static final int MAX_MESSAGE_CHARS = 1000;

    private final String serverName;
    private final RejectionLog rejections;
    private final LongAdder badFrames = new LongAdder();

    /** With a rejection log of its own. */
    public WireErrorHandler(String serverName) {
        this(serverName, new RejectionLog(serverName));
    }

    /** @param rejections the server's, shared with its request handlers */
    public WireErrorHandler(String serverName, RejectionLog rejections) {
        this.serverName = serverName;
        this.rejections = rejections;
    }

    /** Connections closed because the peer broke the wire rules. */
    public long badFrames() {
        return badFrames.sum();
    }

    public RejectionLog rejections() {
        return rejections;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Throwable t = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
        if (t instanceof WireException e) {
            badFrames.increment();
            rejections.reject(ctx.channel().remoteAddress(), reasonOf(e.errorCode()),
                "closing the connection: " + e.getMessage() + " (" + e.errorCode() + ")");
            if (!e.answerable()) {
                ctx.close(); // a broken ERROR_RESPONSE: answering it could start an error exchange
                return;
            }
            int correlationId = e.correlationId() == WireException.NO_CORRELATION_ID ? 0 : e.correlationId();
            ctx.writeAndFlush(Frame.of(correlationId, new ErrorResponse(e.errorCode(), bounded(e.getMessage()))))
                .addListener(ChannelFutureListener.CLOSE);
        } else if (t instanceof IOException) {
            LOG.debug("{}: connection {} failed: {}", serverName, ctx.channel().remoteAddress(), t.toString());
            ctx.close();
        } else {
            rejections.reject(ctx.channel().remoteAddress(), RejectReason.SERVER_ERROR, "closing the connection");
            LOG.error("{}: unexpected error on connection {}; closing it", serverName, ctx.channel().remoteAddress(),
                t);
            ctx.writeAndFlush(Frame.of(0, new ErrorResponse(ErrorCode.UNKNOWN_SERVER_ERROR, bounded(t.toString()))))
                .addListener(ChannelFutureListener.CLOSE);
        }
    }

    static RejectReason reasonOf(ErrorCode code) {
        return switch (code) {
            case MALFORMED_FRAME -> RejectReason.MALFORMED_FRAME;
            case FRAME_TOO_LARGE -> RejectReason.FRAME_TOO_LARGE;
            case UNKNOWN_MESSAGE_TYPE -> RejectReason.UNKNOWN_MESSAGE_TYPE;
            case UNSUPPORTED_VERSION -> RejectReason.UNSUPPORTED_VERSION;
            case REQUEST_TIMED_OUT -> RejectReason.FRAME_READ_TIMEOUT;
            default -> RejectReason.INVALID_REQUEST;
        };
    }

    private static String bounded(String text) {
        if (text == null || text.length() <= MAX_MESSAGE_CHARS) {
            return text;
        }
        return text.substring(0, MAX_MESSAGE_CHARS) + "...";
    }
}
