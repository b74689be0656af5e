package io.yak.wire.codec;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.yak.wire.ErrorCode;
import io.yak.wire.FrameLayout;
import io.yak.wire.MessageType;
import io.yak.wire.WireException;
import io.yak.wire.message.Frame;
import io.yak.wire.message.Message;
import io.yak.wire.message.Messages;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Splits the inbound byte stream into frames and decodes each body into a {@link Frame} ({@code WIRE.md}, sections
 * "Frame header" and "Errors and closing"). The length is checked before anything is allocated; a bad length,
 * unknown type or version, or unparsable body raises a {@link WireException} carrying the correlation id, after
 * which this decoder discards every further byte: the connection is finished and the error handler answers and
 * closes it. Every check waits for the 12 header bytes and no more (a bad type or version is rejected without
 * buffering the body), so the outcome does not depend on how the stream was split.
 *
 * <p>One instance per channel; runs on the channel's event loop. Payload messages hold a retained slice of the
 * cumulation; the next handler owns the frame.
 */
public final class FrameDecoder extends ByteToMessageDecoder {
    /** How long a server waits for the rest of a started frame when no byte arrives ({@code WIRE.md}, rule 4). */
    public static final long INCOMPLETE_FRAME_TIMEOUT_MS = 30_000;

    private final int maxFrameBytes;
    private boolean failed;

    public FrameDecoder(int maxFrameBytes) {
        if (maxFrameBytes < FrameLayout.MIN_LENGTH_FIELD) {
            throw new IllegalArgumentException("maxFrameBytes " + maxFrameBytes + " < " + FrameLayout.MIN_LENGTH_FIELD);
        }
        this.maxFrameBytes = maxFrameBytes;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return;
        }
        int readable = in.readableBytes();
        if (readable < FrameLayout.LENGTH_LENGTH) {
            return;
        }
        int start = in.readerIndex();
        int length = in.getInt(start + FrameLayout.LENGTH_OFFSET);
        boolean badLength = length < FrameLayout.MIN_LENGTH_FIELD || length > maxFrameBytes;
        if (readable < FrameLayout.HEADER_LENGTH) {
            // Even for a bad length, wait for the 12 header bytes (never more), so the error carries the
            // correlation id whatever the TCP segmentation was.
            return;
        }
        int correlationId = in.getInt(start + FrameLayout.CORRELATION_ID_OFFSET);
        if (badLength) {
            fail(in);
            if (length > maxFrameBytes) {
                throw new WireException(ErrorCode.FRAME_TOO_LARGE, correlationId,
                    "frame length " + length + " > max.frame.bytes " + maxFrameBytes);
            }
            throw new WireException(ErrorCode.MALFORMED_FRAME, correlationId,
                "frame length " + length + " < minimum " + FrameLayout.MIN_LENGTH_FIELD);
        }
        int typeId = in.getShort(start + FrameLayout.TYPE_OFFSET);
        short version = in.getShort(start + FrameLayout.VERSION_OFFSET);
        MessageType type = MessageType.of(typeId);
        // Type and version are judged from the header alone: a frame we cannot parse is never buffered whole.
        if (type == null) {
            fail(in);
            throw new WireException(ErrorCode.UNKNOWN_MESSAGE_TYPE, correlationId, "unknown message type " + typeId);
        }
        if (version < MessageType.VERSION_1 || version > type.maxVersion()) {
            fail(in);
            throw new WireException(ErrorCode.UNSUPPORTED_VERSION, correlationId,
                "unsupported version " + version + " of " + type + " (max " + type.maxVersion() + ")");
        }
        // length <= maxFrameBytes and readable - 4 >= length: no int overflow even for maxFrameBytes near 2^31.
        if (readable - FrameLayout.LENGTH_LENGTH < length) {
            return;
        }
        int frameBytes = FrameLayout.LENGTH_LENGTH + length;
        ByteBuf body = in.slice(start + FrameLayout.BODY_OFFSET, frameBytes - FrameLayout.BODY_OFFSET);
        Message message;
        try {
            message = Messages.decode(type, body);
        } catch (WireException e) {
            fail(in);
            throw e.withCorrelationId(correlationId);
        }
        in.skipBytes(frameBytes);
        out.add(new Frame(version, correlationId, message));
    }

    /**
     * A server's read timer ({@link #readTimer}) fired: when part of a frame has been waiting all that time, the
     * peer is stuck or hostile. The connection is finished with {@code MALFORMED_FRAME}, as for a bad frame; an idle
     * connection between frames is left alone.
     */
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof IdleStateEvent e && e.state() == IdleState.READER_IDLE && !failed
            && actualReadableBytes() > 0) {
            ByteBuf in = internalBuffer();
            int partial = in.readableBytes();
            int correlationId = partial >= FrameLayout.HEADER_LENGTH
                ? in.getInt(in.readerIndex() + FrameLayout.CORRELATION_ID_OFFSET) : WireException.NO_CORRELATION_ID;
            String expected = partial >= FrameLayout.LENGTH_LENGTH
                ? " of " + (FrameLayout.LENGTH_LENGTH + (long) in.getInt(in.readerIndex() + FrameLayout.LENGTH_OFFSET))
                : "";
            fail(in);
            ctx.fireExceptionCaught(new WireException(ErrorCode.MALFORMED_FRAME, correlationId, "incomplete frame: "
                + partial + expected + " bytes received, then nothing for " + INCOMPLETE_FRAME_TIMEOUT_MS / 1000
                + " s"));
            return;
        }
        super.userEventTriggered(ctx, evt);
    }

    /** The timer a server puts before this decoder, so that a frame left incomplete is noticed. */
    public static IdleStateHandler readTimer(long timeoutMs) {
        return new IdleStateHandler(timeoutMs, 0, 0, TimeUnit.MILLISECONDS);
    }

    private void fail(ByteBuf in) {
        failed = true;
        in.skipBytes(in.readableBytes());
    }
}
