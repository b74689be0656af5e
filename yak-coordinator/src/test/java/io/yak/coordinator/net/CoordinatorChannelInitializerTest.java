package io.yak.coordinator.net;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.yak.wire.codec.FrameDecoder;
import io.yak.wire.codec.WireErrorHandler;
import org.junit.jupiter.api.Test;

/** The coordinator's pipeline times reads ahead of the decoder, so a frame left incomplete ends the connection. */
class CoordinatorChannelInitializerTest {
    @Test
    void shouldPutTheReadTimerBeforeTheFrameDecoder() {
        EmbeddedChannel ch = new EmbeddedChannel(new CoordinatorChannelInitializer(1 << 20, null, null,
            new WireErrorHandler("coordinator test"), new DefaultChannelGroup(GlobalEventExecutor.INSTANCE)));
        assertThat(ch.pipeline().names()).containsSubsequence("read-timer", "frameDecoder", "requests", "errors");
        IdleStateHandler timer = (IdleStateHandler) ch.pipeline().get("read-timer");
        assertThat(timer.getReaderIdleTimeInMillis()).isEqualTo(FrameDecoder.INCOMPLETE_FRAME_TIMEOUT_MS);
        assertThat(timer.getWriterIdleTimeInMillis()).isZero();
        assertThat(timer.getAllIdleTimeInMillis()).isZero();
        ch.pipeline().remove("requests"); // it needs a request processor to close
        ch.finishAndReleaseAll();
    }
}
