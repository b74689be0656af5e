package io.yak.broker.net;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.yak.broker.log.LogConfig;
import io.yak.broker.partition.PartitionManager;
import io.yak.broker.partition.RetentionConfig;
import io.yak.wire.ErrorCode;
import io.yak.wire.MessageType;
import io.yak.wire.codec.FrameDecoder;
import io.yak.wire.codec.FrameEncoder;
import io.yak.wire.codec.ServerChannels;
import io.yak.wire.codec.ServerLimits;
import io.yak.wire.log.RejectReason;
import io.yak.wire.message.ConsumeRequest;
import io.yak.wire.message.ErrorResponse;
import io.yak.wire.message.Frame;
import io.yak.wire.message.ListOffsetsRequest;
import io.yak.wire.message.ListOffsetsResponse;
import io.yak.wire.message.MetadataRequest;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The broker's pipeline as a peer meets it. */
class BrokerChannelInitializerTest {
    private static final long READ_TIMEOUT_MS = 30_000;
    private final ServerChannels server = new ServerChannels("broker test", ServerLimits.defaults(1 << 20));

    @Test
    void shouldCloseAConnectionWhoseFrameStaysIncompleteForTheReadTimeout() {
        EmbeddedChannel ch = channel();
        // 12 header bytes of a 104-byte heartbeat, then nothing
        ch.writeInbound(Unpooled.buffer().writeInt(100).writeShort(MessageType.HEARTBEAT_REQUEST.id()).writeShort(1)
            .writeInt(42));
        ch.advanceTimeBy(READ_TIMEOUT_MS - 1000, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
        assertThat(ch.isOpen()).as("open before the timeout").isTrue();

        ch.advanceTimeBy(2000, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
        ch.runPendingTasks();
        Frame f = answer(ch);
        assertThat(f.correlationId()).isEqualTo(42);
        assertThat(((ErrorResponse) f.message()).error()).isEqualTo(ErrorCode.REQUEST_TIMED_OUT);
        assertThat(((ErrorResponse) f.message()).message()).contains("request.read.timeout.ms");
        assertThat(ch.isOpen()).as("closed after the answer").isFalse();
        assertThat(server.errorHandler().badFrames()).isEqualTo(1);
        assertThat(server.rejections().count(RejectReason.FRAME_READ_TIMEOUT)).isEqualTo(1);
        ch.finishAndReleaseAll();
    }

    /** Issue 19: brokers answered ERROR_RESPONSE with ERROR_RESPONSE, which could start an error ping-pong. */
    @Test
    void shouldNeverAnswerAnErrorResponse() {
        EmbeddedChannel ch = channel();
        ch.writeInbound(encode(Frame.of(5, new ErrorResponse(ErrorCode.INVALID_REQUEST, "you\nsent junk"))));
        ch.runPendingTasks();
        assertThat((Object) ch.readOutbound()).as("no answer").isNull();
        assertThat(ch.isOpen()).isTrue();
        assertThat(server.rejections().count(RejectReason.ERROR_RESPONSE_RECEIVED)).isEqualTo(1);
        ch.finishAndReleaseAll();
    }

    @Test
    void shouldAnswerARequestBrokersDoNotServeWithInvalidRequestAndStayOpen() {
        EmbeddedChannel ch = channel();
        ch.writeInbound(encode(Frame.of(6, new MetadataRequest(false, List.of()))));
        ch.runPendingTasks();
        Frame f = answer(ch);
        assertThat(((ErrorResponse) f.message()).error()).isEqualTo(ErrorCode.INVALID_REQUEST);
        assertThat(ch.isOpen()).isTrue();
        assertThat(server.rejections().count(RejectReason.INVALID_REQUEST)).isEqualTo(1);
        ch.finishAndReleaseAll();
    }

    /** A current_leader_epoch below -1 is neither a known epoch nor "unknown": the request is refused, not fenced. */
    @Test
    void shouldAnswerALeaderEpochBelowMinusOneWithInvalidRequestAndStayOpen(@TempDir Path dir) {
        try (PartitionManager pm = new PartitionManager(1, dir, LogConfig.defaults(), 1, false, 1,
                RetentionConfig.defaults(), (topic, n) -> { })) {
            EmbeddedChannel ch = channel(pm);
            ch.writeInbound(encode(Frame.of(7, new ConsumeRequest("t", 0, -2, 0, 1024, 0))));
            ch.runPendingTasks();
            Frame consume = answer(ch);
            assertThat(consume.correlationId()).isEqualTo(7);
            assertThat(((ErrorResponse) consume.message()).error()).isEqualTo(ErrorCode.INVALID_REQUEST);
            assertThat(((ErrorResponse) consume.message()).message()).contains("current_leader_epoch -2");

            ch.writeInbound(encode(Frame.of(8, new ListOffsetsRequest("t", 0, Integer.MIN_VALUE,
                ListOffsetsRequest.LATEST))));
            ch.runPendingTasks();
            Frame list = answer(ch);
            assertThat(list.correlationId()).isEqualTo(8);
            assertThat(((ListOffsetsResponse) list.message()).error()).isEqualTo(ErrorCode.INVALID_REQUEST);
            assertThat(((ListOffsetsResponse) list.message()).offset()).isEqualTo(-1);

            assertThat(ch.isOpen()).isTrue();
            assertThat(server.rejections().count(RejectReason.INVALID_REQUEST)).isEqualTo(2);
            ch.finishAndReleaseAll();
        }
    }

    private EmbeddedChannel channel() {
        return channel(null);
    }

    private EmbeddedChannel channel(PartitionManager partitions) {
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.freezeTime();
        ch.pipeline().addLast(new BrokerChannelInitializer(partitions, Long.MAX_VALUE, server,
            new DefaultChannelGroup(GlobalEventExecutor.INSTANCE),
            new RequestMetrics(new io.micrometer.core.instrument.simple.SimpleMeterRegistry())));
        return ch;
    }

    private static ByteBuf encode(Frame f) {
        ByteBuf b = Unpooled.buffer();
        FrameEncoder.encodeFully(f, b);
        return b;
    }

    private static Frame answer(EmbeddedChannel ch) {
        ByteBuf answer = ch.readOutbound();
        assertThat(answer).as("an answer is written").isNotNull();
        EmbeddedChannel client = new EmbeddedChannel(new FrameDecoder(1 << 20));
        client.writeInbound(answer);
        Frame f = client.readInbound();
        client.finishAndReleaseAll();
        return f;
    }
}
