package io.yak.wire.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.yak.wire.ErrorCode;
import io.yak.wire.FrameLayout;
import io.yak.wire.MessageType;
import io.yak.wire.WireException;
import io.yak.wire.message.ErrorResponse;
import io.yak.wire.message.Frame;
import io.yak.wire.message.HeartbeatRequest;
import io.yak.wire.message.PublishRequest;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A server pipeline (FrameDecoder, FrameEncoder, handler, WireErrorHandler) answers bad frames and closes. */
class WireErrorHandlerTest {
    private static final int MAX = 1024;

    private final List<Frame> received = new ArrayList<>();
    private final List<ByteBuf> inputs = new ArrayList<>();
    private final WireErrorHandler errorHandler = new WireErrorHandler("test-server");
    private final EmbeddedChannel channel = new EmbeddedChannel(new FrameDecoder(MAX), FrameEncoder.INSTANCE,
        new Collector(), errorHandler);

    @AfterEach
    void nothingLeaks() {
        channel.finishAndReleaseAll();
        received.forEach(Frame::release);
        for (ByteBuf b : inputs) {
            assertThat(b.refCnt()).isZero();
        }
    }

    @Test
    void shouldAnswerAnOversizedFrameWithFrameTooLargeAndClose() {
        ByteBuf header = input(Unpooled.buffer().writeInt(MAX + 1).writeShort(MessageType.PUBLISH_REQUEST.id())
            .writeShort(1).writeInt(4242).writeZero(100));
        channel.writeInbound(header);

        Frame answer = singleAnswer();
        assertThat(answer.correlationId()).isEqualTo(4242);
        assertThat(answer.message()).isInstanceOfSatisfying(ErrorResponse.class, e -> {
            assertThat(e.error()).isEqualTo(ErrorCode.FRAME_TOO_LARGE);
            assertThat(e.message()).contains(String.valueOf(MAX + 1), String.valueOf(MAX));
        });
        assertThat(channel.isOpen()).isFalse();
        assertThat(errorHandler.badFrames()).isEqualTo(1);
        assertThat(received).isEmpty();
    }

    @Test
    void shouldServeGoodFramesBeforeAnsweringAnUnknownType() {
        ByteBuf stream = Unpooled.buffer();
        FrameEncoder.encodeFully(Frame.of(1, new HeartbeatRequest(7)), stream);
        stream.writeInt(FrameLayout.MIN_LENGTH_FIELD).writeShort(0).writeShort(1).writeInt(2);
        channel.writeInbound(input(stream));

        assertThat(received).containsExactly(Frame.of(1, new HeartbeatRequest(7)));
        Frame answer = singleAnswer();
        assertThat(answer.correlationId()).isEqualTo(2);
        assertThat(((ErrorResponse) answer.message()).error()).isEqualTo(ErrorCode.UNKNOWN_MESSAGE_TYPE);
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void shouldAnswerAnUnparsableBodyWithMalformedFrameAndReleaseItsPayload() {
        ByteBuf frame = Unpooled.buffer();
        FrameEncoder.encodeFully(Frame.of(5, new PublishRequest("t", 0, (short) 1, 0, Unpooled.buffer(0))), frame);
        frame.writeByte(1).setInt(0, frame.getInt(0) + 1); // one byte more than records_length says
        channel.writeInbound(input(frame));

        Frame answer = singleAnswer();
        assertThat(answer.correlationId()).isEqualTo(5);
        assertThat(((ErrorResponse) answer.message()).error()).isEqualTo(ErrorCode.MALFORMED_FRAME);
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void shouldAnswerWithCorrelationIdZeroWhenItWasNotReadable() {
        channel.pipeline().fireExceptionCaught(new WireException(ErrorCode.MALFORMED_FRAME, "no header"));

        Frame answer = singleAnswer();
        assertThat(answer.correlationId()).isZero();
        assertThat(answer.message()).isEqualTo(new ErrorResponse(ErrorCode.MALFORMED_FRAME, "no header"));
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void shouldAnswerABugWithUnknownServerErrorAndClose() {
        channel.pipeline().fireExceptionCaught(new IllegalStateException("broken invariant"));

        Frame answer = singleAnswer();
        assertThat(answer.correlationId()).isZero();
        ErrorResponse error = (ErrorResponse) answer.message();
        assertThat(error.error()).isEqualTo(ErrorCode.UNKNOWN_SERVER_ERROR);
        assertThat(error.message()).contains("broken invariant");
        assertThat(channel.isOpen()).isFalse();
        assertThat(errorHandler.badFrames()).isZero();
    }

    @Test
    void shouldStillAnswerWhenTheExceptionTextIsTooLongForAWireString() {
        String text = "\u20ac".repeat(11_000); // 33000 UTF-8 bytes: more than a wire string holds
        channel.pipeline().fireExceptionCaught(new IllegalStateException(text));

        Frame answer = singleAnswer();
        ErrorResponse error = (ErrorResponse) answer.message();
        assertThat(error.error()).isEqualTo(ErrorCode.UNKNOWN_SERVER_ERROR);
        assertThat(error.message()).startsWith("java.lang.IllegalStateException: \u20ac\u20ac")
            .endsWith("...").hasSize(WireErrorHandler.MAX_MESSAGE_CHARS + 3);
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void shouldCloseQuietlyOnIoErrors() {
        channel.pipeline().fireExceptionCaught(new IOException("connection reset by peer"));

        assertThat(channel.<Object>readOutbound()).isNull();
        assertThat(channel.isOpen()).isFalse();
        assertThat(errorHandler.badFrames()).isZero();
    }

    private ByteBuf input(ByteBuf b) {
        inputs.add(b);
        return b;
    }

    /** Exactly one frame was written; decodes it with a fresh decoder and releases the written bytes. */
    private Frame singleAnswer() {
        List<ByteBuf> written = new ArrayList<>();
        for (ByteBuf b; (b = channel.readOutbound()) != null; ) {
            written.add(b);
        }
        assertThat(written).hasSize(1);
        ByteBuf bytes = written.get(0);
        EmbeddedChannel client = new EmbeddedChannel(new FrameDecoder(FrameLayout.DEFAULT_MAX_FRAME_BYTES));
        client.writeInbound(bytes);
        Frame frame = client.readInbound();
        assertThat(client.<Object>readInbound()).isNull();
        assertThat(client.finish()).isFalse();
        assertThat(bytes.refCnt()).isZero();
        assertThat(frame.type()).isEqualTo(MessageType.ERROR_RESPONSE);
        return frame;
    }

    /** Stands for the server's request handler: keeps what it receives (released after the test). */
    private final class Collector extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            received.add((Frame) msg);
        }
    }
}
