package io.yak.broker.net;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.yak.wire.ErrorCode;
import io.yak.wire.MessageType;
import io.yak.wire.codec.FrameDecoder;
import io.yak.wire.codec.WireErrorHandler;
import io.yak.wire.message.ErrorResponse;
import io.yak.wire.message.Frame;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The broker's pipeline as a peer meets it: a frame left incomplete is answered and the connection closed. */
class BrokerChannelInitializerTest {
    @Test
    void shouldCloseAConnectionWhoseFrameStaysIncompleteForTheReadTimeout() {
        WireErrorHandler errors = new WireErrorHandler("broker test");
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.freezeTime();
        ch.pipeline().addLast(new BrokerChannelInitializer(null, 1 << 20, Long.MAX_VALUE, errors,
            new DefaultChannelGroup(GlobalEventExecutor.INSTANCE)));
        // 12 header bytes of a 104-byte heartbeat, then nothing
        ch.writeInbound(Unpooled.buffer().writeInt(100).writeShort(MessageType.HEARTBEAT_REQUEST.id()).writeShort(1)
            .writeInt(42));
        ch.advanceTimeBy(FrameDecoder.INCOMPLETE_FRAME_TIMEOUT_MS - 1000, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
        assertThat(ch.isOpen()).as("open before the timeout").isTrue();

        ch.advanceTimeBy(2000, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
        ch.runPendingTasks();
        ByteBuf answer = ch.readOutbound();
        assertThat(answer).as("an ERROR_RESPONSE is written").isNotNull();
        EmbeddedChannel client = new EmbeddedChannel(new FrameDecoder(1 << 20));
        client.writeInbound(answer);
        Frame f = client.readInbound();
        assertThat(f.correlationId()).isEqualTo(42);
        assertThat(((ErrorResponse) f.message()).error()).isEqualTo(ErrorCode.MALFORMED_FRAME);
        assertThat(((ErrorResponse) f.message()).message()).contains("incomplete frame");
        assertThat(ch.isOpen()).as("closed after the answer").isFalse();
        assertThat(errors.badFrames()).isEqualTo(1);
        client.finishAndReleaseAll();
        ch.finishAndReleaseAll();
    }
}
