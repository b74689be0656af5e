package io.yak.wire.codec;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageEncoder;
import io.yak.wire.FrameLayout;
import io.yak.wire.message.Frame;
import io.yak.wire.message.Message;
import java.util.List;

/**
 * Writes a {@link Frame} as a pooled direct header buffer followed, when the message has one, by its payload
 * buffer unchanged, so stored record batches reach the socket without a copy. Takes ownership of the frame's
 * payload. Stateless: one shared instance serves every channel.
 */
@ChannelHandler.Sharable
public final class FrameEncoder extends MessageToMessageEncoder<Frame> {
    public static final FrameEncoder INSTANCE = new FrameEncoder();

    private static final int HEADER_GUESS_BYTES = 128;

    private FrameEncoder() {
        super(Frame.class);
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, Frame frame, List<Object> out) {
        Message message = frame.message();
        ByteBuf payload = message.payload();
        ByteBuf header = ctx.alloc().ioBuffer(HEADER_GUESS_BYTES);
        try {
            encodeHeader(frame, header);
            if (payload != null) {
                header.setInt(FrameLayout.LENGTH_OFFSET, header.getInt(FrameLayout.LENGTH_OFFSET)
                    + payload.readableBytes());
            }
        } catch (RuntimeException e) {
            header.release();
            frame.release();
            throw e;
        }
        out.add(header);
        if (payload != null) {
            out.add(payload);
        }
    }

    /**
     * Writes the frame header and the body's fixed fields into {@code out}; the length field counts those bytes
     * only (the caller adds the payload's length). Used by the encoder and by tests.
     */
    public static void encodeHeader(Frame frame, ByteBuf out) {
        int start = out.writerIndex();
        out.writeInt(0);
        out.writeShort(frame.type().id());
        out.writeShort(frame.version());
        out.writeInt(frame.correlationId());
        frame.message().writeBody(out);
        out.setInt(start + FrameLayout.LENGTH_OFFSET, out.writerIndex() - start - FrameLayout.LENGTH_LENGTH);
    }

    /** Encodes a whole frame, payload bytes copied in, into {@code out}. For tests and tools, not the data path. */
    public static void encodeFully(Frame frame, ByteBuf out) {
        int start = out.writerIndex();
        encodeHeader(frame, out);
        ByteBuf payload = frame.message().payload();
        if (payload != null) {
            out.writeBytes(payload, payload.readerIndex(), payload.readableBytes());
            out.setInt(start, out.writerIndex() - start - FrameLayout.LENGTH_LENGTH);
        }
    }
}
