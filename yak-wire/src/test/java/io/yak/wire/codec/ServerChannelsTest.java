package io.yak.wire.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import io.yak.wire.ErrorCode;
import io.yak.wire.MessageType;
import io.yak.wire.log.RejectReason;
import io.yak.wire.log.RejectionLog;
import io.yak.wire.message.ErrorResponse;
import io.yak.wire.message.Frame;
import io.yak.wire.message.HeartbeatRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The front of a server pipeline as hostile peers meet it: memory for frames being read, slow readers. */
class ServerChannelsTest {
    private static final int MAX_FRAME = 8 << 20;
    private static final long POOL = 20L << 20;
    private static final long TIMEOUT_MS = 30_000;

    private final ServerChannels server = new ServerChannels("test-server",
        new ServerLimits(MAX_FRAME, POOL, TIMEOUT_MS, TIMEOUT_MS));
    private final List<EmbeddedChannel> channels = new ArrayList<>();
    private final List<Frame> received = new ArrayList<>();

    @AfterEach
    void closeAll() {
        for (EmbeddedChannel ch : channels) {
            ch.finishAndReleaseAll();
        }
        received.forEach(Frame::release);
        assertThat(server.memory().availableBytes()).as("every reservation given back").isEqualTo(POOL);
    }

    /**
     * Issue 19: 40 connections each announcing an 8 MiB frame and stalling exhausted the broker's direct memory.
     * Now the frames being read reserve their length; past the pool, connections stop reading.
     */
    @Test
    void shouldStopReadingFromConnectionsOnceFramesBeingReadFillThePool() {
        List<EmbeddedChannel> stalled = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            EmbeddedChannel ch = connection();
            ch.writeInbound(startOfFrame(MAX_FRAME - 4, i, 4096));
            stalled.add(ch);
        }
        long reading = stalled.stream().filter(ch -> ch.config().isAutoRead()).count();
        // 20 MiB pool, 8 MiB frames: two fit, the third takes the pool below zero, the rest wait
        assertThat(reading).isEqualTo(3);
        assertThat(server.memory().availableBytes()).isLessThanOrEqualTo(0).isGreaterThan(-MAX_FRAME);
        assertThat(server.memory().pauses()).isEqualTo(37);

        // Frames time out in waves: as memory comes back the pool reserves it for waiting connections and lets
        // only those read; the others read nothing they have no reservation for (from review: all were woken and
        // each buffered another read without one).
        for (int wave = 0; wave < 20 && stalled.stream().anyMatch(EmbeddedChannel::isOpen); wave++) {
            for (EmbeddedChannel ch : stalled) {
                ch.advanceTimeBy(TIMEOUT_MS, TimeUnit.MILLISECONDS);
                ch.runScheduledPendingTasks();
            }
            for (EmbeddedChannel ch : stalled) {
                ch.runPendingTasks();
            }
            assertThat(stalled.stream().filter(ch -> ch.isOpen() && ch.config().isAutoRead()).count())
                .as("connections reading in wave %d", wave).isLessThanOrEqualTo(3);
            assertThat(server.memory().availableBytes()).isGreaterThan(-MAX_FRAME);
        }
        assertThat(stalled.stream().filter(EmbeddedChannel::isOpen).count()).as("none kept for ever").isZero();
        assertThat(server.rejections().count(RejectReason.FRAME_READ_TIMEOUT)).isEqualTo(40);
    }

    /** From review: connections closed while waiting for memory stayed queued in the pool. */
    @Test
    void shouldForgetAConnectionThatClosesWhileWaitingForMemory() {
        for (int i = 0; i < 3; i++) {
            connection().writeInbound(startOfFrame(MAX_FRAME - 4, i, 4096));
        }
        List<EmbeddedChannel> waiting = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            EmbeddedChannel ch = connection();
            ch.writeInbound(startOfFrame(MAX_FRAME - 4, 100 + i, 4096));
            waiting.add(ch);
        }
        assertThat(server.memory().waitingConnections()).isEqualTo(10);
        waiting.forEach(EmbeddedChannel::close);
        assertThat(server.memory().waitingConnections()).isZero();
    }

    @Test
    void shouldReserveNothingForFramesThatArriveWhole() {
        EmbeddedChannel ch = connection();
        ByteBuf frame = Unpooled.buffer();
        FrameEncoder.encodeFully(Frame.of(1, new HeartbeatRequest(1)), frame);
        ch.writeInbound(frame);
        assertThat(server.memory().availableBytes()).isEqualTo(POOL);
        assertThat(received).hasSize(1);
    }

    @Test
    void shouldGiveAFramesReservationBackWhenItCompletes() {
        EmbeddedChannel ch = connection();
        ByteBuf frame = Unpooled.buffer();
        FrameEncoder.encodeFully(Frame.of(1, new HeartbeatRequest(1)), frame);
        ch.writeInbound(frame.readRetainedSlice(14));
        assertThat(server.memory().availableBytes()).isEqualTo(POOL - (frame.writerIndex() - 4));
        ch.writeInbound(frame);
        assertThat(received).hasSize(1);
        assertThat(server.memory().availableBytes()).isEqualTo(POOL);
    }

    /**
     * Issue 19: consumers that never read their socket were closed for an "incomplete frame" they never sent. A
     * peer that does not drain its responses is closed for that, and only for that.
     */
    @Test
    void shouldCloseAPeerThatDoesNotReadItsResponsesAndSaySo() {
        EmbeddedChannel ch = connection();
        ch.config().setWriteBufferWaterMark(new WriteBufferWaterMark(16, 32));
        ch.writeInbound(startOfFrame(100, 3, 20)); // a request cut short by the server's own stop
        // responses that the peer never reads pile up (not flushed: an EmbeddedChannel drains on flush)
        ch.write(Frame.of(1, new ErrorResponse(ErrorCode.INVALID_REQUEST, "x".repeat(64))));
        assertThat(ch.isWritable()).isFalse();
        assertThat(ch.config().isAutoRead()).as("reading stops while responses pile up").isFalse();

        ch.advanceTimeBy(TIMEOUT_MS - 1, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
        assertThat(ch.isOpen()).isTrue();
        ch.advanceTimeBy(1, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
        assertThat(ch.isOpen()).isFalse();
        assertThat(server.rejections().count(RejectReason.RESPONSES_NOT_READ)).isEqualTo(1);
        assertThat(server.rejections().count(RejectReason.FRAME_READ_TIMEOUT)).as("not blamed on the request")
            .isZero();
    }

    /** Found by a tester: a consumer reading slowly was closed as one that "has not read its responses". */
    @Test
    void shouldLeaveASlowReaderThatMakesProgressOpen() {
        EmbeddedChannel ch = connection();
        ch.config().setWriteBufferWaterMark(new WriteBufferWaterMark(16, 32));
        for (int i = 0; i < 3; i++) {
            ch.write(Frame.of(i, new ErrorResponse(ErrorCode.INVALID_REQUEST, "x".repeat(64))));
        }
        assertThat(ch.isWritable()).isFalse();
        ch.advanceTimeBy(TIMEOUT_MS - 10_000, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
        // the peer reads one response (as the transport reports a completed write), and still lags behind
        ch.unsafe().outboundBuffer().addFlush();
        ch.unsafe().outboundBuffer().remove();
        assertThat(ch.isWritable()).isFalse();
        ch.advanceTimeBy(10_000, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
        assertThat(ch.isOpen()).as("it read some within the timeout").isTrue();
        ch.advanceTimeBy(TIMEOUT_MS - 1, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
        assertThat(ch.isOpen()).isTrue();
        ch.advanceTimeBy(1, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
        assertThat(ch.isOpen()).as("then nothing for a whole timeout").isFalse();
        assertThat(server.rejections().count(RejectReason.RESPONSES_NOT_READ)).isEqualTo(1);
    }

    @Test
    void shouldResumeReadingWhenResponsesDrain() {
        EmbeddedChannel ch = connection();
        ch.config().setWriteBufferWaterMark(new WriteBufferWaterMark(16, 32));
        ch.write(Frame.of(1, new ErrorResponse(ErrorCode.INVALID_REQUEST, "x".repeat(64))));
        assertThat(ch.config().isAutoRead()).isFalse();
        ch.flush();
        ReferenceCountUtil.release(ch.readOutbound());
        assertThat(ch.isWritable()).isTrue();
        assertThat(ch.config().isAutoRead()).isTrue();
        ch.advanceTimeBy(TIMEOUT_MS * 2, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
        assertThat(ch.isOpen()).isTrue();
    }

    /** Found by a tester: a malformed ERROR_RESPONSE (short body, version 2) was answered before the close. */
    @Test
    void shouldCloseOnABrokenErrorResponseWithoutAnsweringIt() {
        EmbeddedChannel shortBody = connection();
        shortBody.writeInbound(Unpooled.buffer().writeInt(9).writeShort(MessageType.ERROR_RESPONSE.id())
            .writeShort(1).writeInt(7).writeByte(0));
        EmbeddedChannel badVersion = connection();
        badVersion.writeInbound(Unpooled.buffer().writeInt(12).writeShort(MessageType.ERROR_RESPONSE.id())
            .writeShort(2).writeInt(8).writeShort(0).writeShort(-1));
        for (EmbeddedChannel ch : List.of(shortBody, badVersion)) {
            assertThat((Object) ch.readOutbound()).as("no answer").isNull();
            assertThat(ch.isOpen()).isFalse();
        }
        assertThat(server.rejections().count(RejectReason.MALFORMED_FRAME)).isEqualTo(1);
        assertThat(server.rejections().count(RejectReason.UNSUPPORTED_VERSION)).isEqualTo(1);
    }

    @Test
    void shouldCountAndRateLimitBadFramesPerHostThroughTheRejectionLog() {
        RejectionLog log = server.rejections();
        for (int i = 0; i < 50; i++) {
            EmbeddedChannel ch = connection();
            ch.writeInbound(Unpooled.buffer().writeInt(MAX_FRAME + 1).writeShort(MessageType.PUBLISH_REQUEST.id())
                .writeShort(1).writeInt(i));
            assertThat(ch.isOpen()).isFalse();
        }
        assertThat(log.count(RejectReason.FRAME_TOO_LARGE)).isEqualTo(50);
        assertThat(log.warnLines()).as("one WARN for 50 rejections from one host").isEqualTo(1);
    }

    private EmbeddedChannel connection() {
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.freezeTime();
        server.initFront(ch);
        ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                received.add((Frame) msg);
            }
        }).addLast(server.errorHandler());
        channels.add(ch);
        return ch;
    }

    /** The first {@code bytes} of a heartbeat frame whose length field says {@code length}. */
    private static ByteBuf startOfFrame(int length, int correlationId, int bytes) {
        ByteBuf b = Unpooled.buffer().writeInt(length).writeShort(MessageType.HEARTBEAT_REQUEST.id()).writeShort(1)
            .writeInt(correlationId);
        return b.writeZero(Math.max(0, bytes - b.readableBytes()));
    }
}
