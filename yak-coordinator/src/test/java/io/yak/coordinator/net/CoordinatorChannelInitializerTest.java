package io.yak.coordinator.net;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.yak.wire.ErrorCode;
import io.yak.wire.codec.FrameDecoder;
import io.yak.wire.codec.FrameEncoder;
import io.yak.wire.codec.ServerChannels;
import io.yak.wire.codec.ServerLimits;
import io.yak.wire.log.RejectReason;
import io.yak.wire.message.ConsumeRequest;
import io.yak.wire.message.ErrorResponse;
import io.yak.wire.message.Frame;
import org.junit.jupiter.api.Test;

/** The coordinator's pipeline as a peer meets it; requests it serves go to the state thread (tested elsewhere). */
class CoordinatorChannelInitializerTest {
    private final ServerChannels server = new ServerChannels("coordinator test", ServerLimits.defaults(1 << 20));

    @Test
    void shouldPutTheServerFrontBeforeTheRequestHandler() {
        EmbeddedChannel ch = channel();
        assertThat(ch.pipeline().names()).containsSubsequence("slow-reader-guard", "frame-decoder", "requests",
            "errors");
        ch.finishAndReleaseAll();
    }

    /** Issue 19: the coordinator answered ERROR_RESPONSE with ERROR_RESPONSE INVALID_REQUEST. */
    @Test
    void shouldNeverAnswerAnErrorResponse() {
        EmbeddedChannel ch = channel();
        ch.writeInbound(encode(Frame.of(3, new ErrorResponse(ErrorCode.MALFORMED_FRAME, "bad"))));
        assertThat((Object) ch.readOutbound()).isNull();
        assertThat(ch.isOpen()).isTrue();
        assertThat(server.rejections().count(RejectReason.ERROR_RESPONSE_RECEIVED)).isEqualTo(1);
        ch.finishAndReleaseAll();
    }

    @Test
    void shouldAnswerARequestTheCoordinatorDoesNotServeWithoutTheStateThread() {
        EmbeddedChannel ch = channel(); // no RequestProcessor: the answer must not need one
        ch.writeInbound(encode(Frame.of(4, new ConsumeRequest("t", 0, ConsumeRequest.NO_LEADER_EPOCH, 0, 100, 0))));
        ByteBuf answer = ch.readOutbound();
        EmbeddedChannel client = new EmbeddedChannel(new FrameDecoder(1 << 20));
        client.writeInbound(answer);
        Frame f = client.readInbound();
        assertThat(f.correlationId()).isEqualTo(4);
        assertThat(((ErrorResponse) f.message()).error()).isEqualTo(ErrorCode.INVALID_REQUEST);
        assertThat(ch.isOpen()).isTrue();
        assertThat(server.rejections().count(RejectReason.INVALID_REQUEST)).isEqualTo(1);
        client.finishAndReleaseAll();
        ch.finishAndReleaseAll();
    }

    private EmbeddedChannel channel() {
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.pipeline().addLast(new CoordinatorChannelInitializer(server, null, null,
            new DefaultChannelGroup(GlobalEventExecutor.INSTANCE)));
        return ch;
    }

    private static ByteBuf encode(Frame f) {
        ByteBuf b = Unpooled.buffer();
        FrameEncoder.encodeFully(f, b);
        return b;
    }
}
