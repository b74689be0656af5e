package io.yak.wire.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import io.yak.wire.ErrorCode;
import io.yak.wire.FrameLayout;
import io.yak.wire.MessageType;
import io.yak.wire.WireException;
import io.yak.wire.message.Frame;
import io.yak.wire.message.HeartbeatRequest;
import io.yak.wire.message.PublishRequest;
import io.yak.wire.testing.RandomMessages;
import io.yak.wire.testing.Seeds;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.Random;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * FrameDecoder on whole frames, single bytes and random splits, and on every kind of bad input: each must give
 * the same frames or one {@link WireException}, never another exception, and leave no buffer unreleased.
 */
class FrameDecoderTest {
    private static final int MAX = 64 * 1024;
    private static final long READ_TIMEOUT_MS = 30_000;

    /** Every buffer fed to a decoder; all must be released when the test ends. */
    private final List<ByteBuf> inputs = new ArrayList<>();

    static LongStream seeds() {
        return Seeds.seeds(20);
    }

    @AfterEach
    void everyInputBufferIsReleased() {
        for (ByteBuf b : inputs) {
            assertThat(b.refCnt()).as("input buffer refCnt").isZero();
        }
    }

    // ---- splitting ------------------------------------------------------------------------------------------

    @ParameterizedTest(name = "seed={0}")
    @MethodSource("seeds")
    void shouldYieldTheSameFramesForWholeFramesSingleBytesAndRandomSplits(long seed) {
        Random random = Seeds.random("FrameDecoderTest splits", seed);
        // Compact messages keep the byte-at-a-time run short; MessageRoundTripTest covers the large ones.
        RandomMessages messages = new RandomMessages(random, true);
        List<Frame> originals = new ArrayList<>();
        ByteBuf stream = Unpooled.buffer();
        int count = 1 + random.nextInt(40);
        for (int i = 0; i < count; i++) {
            Frame f = messages.frame();
            originals.add(f);
            FrameEncoder.encodeFully(f, stream);
        }
        byte[] bytes = new byte[stream.readableBytes()];
        stream.readBytes(bytes);
        stream.release();
        try {
            assertDecodesTo(decode(chunks(bytes, bytes.length)), originals);
            assertDecodesTo(decode(chunks(bytes, 1)), originals);
            for (int attempt = 0; attempt < 5; attempt++) {
                assertDecodesTo(decode(randomChunks(bytes, random)), originals);
            }
            List<ByteBuf> perFrame = new ArrayList<>();
            for (Frame f : originals) {
                ByteBuf b = ByteBufAllocator.DEFAULT.directBuffer();
                FrameEncoder.encodeFully(f, b);
                perFrame.add(b);
            }
            assertDecodesTo(decode(perFrame), originals);
        } finally {
            originals.forEach(Frame::release);
        }
    }

    @Test
    void shouldAcceptAFrameOfExactlyMaxFrameBytes() {
        PublishRequest request = new PublishRequest("t", 0, (short) 1, 0, Unpooled.buffer());
        ByteBuf header = Unpooled.buffer();
        FrameEncoder.encodeFully(Frame.of(1, request), header);
        int fill = MAX - (header.readableBytes() - FrameLayout.LENGTH_LENGTH);
        header.release();
        Frame frame = Frame.of(9, new PublishRequest("t", 0, (short) 1, 0, Unpooled.buffer().writeZero(fill)));
        ByteBuf encoded = Unpooled.buffer();
        FrameEncoder.encodeFully(frame, encoded);
        assertThat(encoded.getInt(0)).isEqualTo(MAX);
        List<Frame> decoded = decode(List.of(encoded));
        try {
            assertDecodesTo(decoded, List.of(frame));
        } finally {
            frame.release();
        }
    }

    // ---- bad lengths ----------------------------------------------------------------------------------------

    @Test
    void shouldRejectAnOversizedFrameWithItsCorrelationIdWhateverTheSplit() {
        byte[] header = header(MAX + 1, MessageType.METADATA_REQUEST.id(), 1, 4711);
        for (int chunk = 1; chunk <= header.length; chunk++) {
            WireException e = decodeError(chunks(header, chunk));
            assertThat(e.errorCode()).isEqualTo(ErrorCode.FRAME_TOO_LARGE);
            assertThat(e.correlationId()).isEqualTo(4711);
            assertThat(e).hasMessageContaining(String.valueOf(MAX + 1)).hasMessageContaining(String.valueOf(MAX));
        }
        WireException huge = decodeError(chunks(header(Integer.MAX_VALUE, 13, 1, 5), 12));
        assertThat(huge.errorCode()).isEqualTo(ErrorCode.FRAME_TOO_LARGE);
        assertThat(huge.correlationId()).isEqualTo(5);
    }

    @ParameterizedTest
    @ValueSource(ints = {Integer.MIN_VALUE, -1, 0, 1, 4, 7})
    void shouldRejectANegativeOrShortLengthAsMalformed(int length) {
        byte[] header = header(length, MessageType.HEARTBEAT_REQUEST.id(), 1, 99);
        for (int chunk : new int[] {1, 5, 12}) {
            WireException e = decodeError(chunks(header, chunk));
            assertThat(e.errorCode()).isEqualTo(ErrorCode.MALFORMED_FRAME);
            assertThat(e.correlationId()).isEqualTo(99);
            assertThat(e).hasMessageContaining("frame length " + length);
        }
    }

    // ---- incomplete frames ----------------------------------------------------------------------------------

    @Test
    void shouldFinishAConnectionWhoseFrameStaysIncompleteForTheReadTimeout() {
        EmbeddedChannel stuck = serverDecoderChannel();
        assertThat(stuck.writeInbound(track(Unpooled.wrappedBuffer(header(100, MessageType.HEARTBEAT_REQUEST.id(),
            1, 42))))).isFalse();
        stuck.advanceTimeBy(READ_TIMEOUT_MS - 1, TimeUnit.MILLISECONDS);
        stuck.runScheduledPendingTasks();
        stuck.checkException();
        stuck.advanceTimeBy(1, TimeUnit.MILLISECONDS);
        stuck.runScheduledPendingTasks();
        assertThatThrownBy(stuck::checkException).isInstanceOfSatisfying(WireException.class, e -> {
            assertThat(e.errorCode()).isEqualTo(ErrorCode.REQUEST_TIMED_OUT);
            assertThat(e.correlationId()).isEqualTo(42);
            assertThat(e).hasMessageContaining("12 of 104 bytes received");
        });
        // finished: the rest of the frame, when it comes, is discarded
        assertThat(stuck.writeInbound(track(Unpooled.wrappedBuffer(new byte[92])))).isFalse();
        assertThat(stuck.finishAndReleaseAll()).isFalse();

        EmbeddedChannel fewBytes = serverDecoderChannel();
        fewBytes.writeInbound(track(Unpooled.wrappedBuffer(new byte[] {0, 0})));
        fewBytes.advanceTimeBy(READ_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        fewBytes.runScheduledPendingTasks();
        assertThatThrownBy(fewBytes::checkException).isInstanceOfSatisfying(WireException.class,
            e -> assertThat(e.correlationId()).isEqualTo(WireException.NO_CORRELATION_ID));
        fewBytes.finishAndReleaseAll();
    }

    /** Issue 19: a sender trickling one byte every 20 s kept its connection forever under a silence timer. */
    @Test
    void shouldFinishAFrameTrickledSlowerThanTheReadTimeoutAllowsEvenIfNeverSilentForLong() {
        EmbeddedChannel trickle = serverDecoderChannel();
        byte[] frame = bytesOf(encode(Frame.of(9, new HeartbeatRequest(1))));
        int sent = 0;
        for (long elapsed = 0; elapsed < READ_TIMEOUT_MS; elapsed += READ_TIMEOUT_MS / 3) {
            trickle.writeInbound(track(Unpooled.wrappedBuffer(new byte[] {frame[sent++]})));
            trickle.advanceTimeBy(READ_TIMEOUT_MS / 3, TimeUnit.MILLISECONDS);
            trickle.runScheduledPendingTasks();
        }
        assertThat(sent).isLessThan(frame.length);
        assertThatThrownBy(trickle::checkException).isInstanceOfSatisfying(WireException.class,
            e -> assertThat(e.errorCode()).isEqualTo(ErrorCode.REQUEST_TIMED_OUT));
        trickle.finishAndReleaseAll();
    }

    @Test
    void shouldGiveEachFrameItsOwnReadTimeWhenLargeFramesFollowEachOther() {
        EmbeddedChannel stream = serverDecoderChannel();
        for (int i = 0; i < 5; i++) {
            byte[] frame = bytesOf(encode(Frame.of(i, new HeartbeatRequest(i))));
            int half = frame.length / 2;
            // each frame's second half arrives with the next frame's first half, 0.6 timeouts later
            stream.writeInbound(track(Unpooled.wrappedBuffer(java.util.Arrays.copyOfRange(frame, 0, half))));
            stream.advanceTimeBy(READ_TIMEOUT_MS * 6 / 10, TimeUnit.MILLISECONDS);
            stream.runScheduledPendingTasks();
            stream.writeInbound(track(Unpooled.wrappedBuffer(java.util.Arrays.copyOfRange(frame, half,
                frame.length))));
            stream.checkException();
            assertThat((Frame) stream.readInbound()).isEqualTo(Frame.of(i, new HeartbeatRequest(i)));
        }
        assertThat(stream.finishAndReleaseAll()).isFalse();
    }

    /** Issue 19: a peer was blamed for an incomplete frame while the server itself had stopped reading. */
    @Test
    void shouldNotCountTimeTheServerWasNotReadingAgainstThePeer() {
        EmbeddedChannel ch = serverDecoderChannel();
        ReadGate gate = ReadGate.of(ch);
        ch.writeInbound(track(Unpooled.wrappedBuffer(header(100, MessageType.HEARTBEAT_REQUEST.id(), 1, 5))));
        gate.pause(ReadGate.Reason.UNWRITABLE);
        ch.advanceTimeBy(READ_TIMEOUT_MS * 3, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
        ch.checkException();
        gate.resume(ReadGate.Reason.UNWRITABLE);
        ch.advanceTimeBy(READ_TIMEOUT_MS - 1, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
        ch.checkException();
        assertThat(ch.isOpen()).isTrue();
        ch.advanceTimeBy(READ_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
        assertThatThrownBy(ch::checkException).isInstanceOf(WireException.class);
        ch.finishAndReleaseAll();
    }

    /** From review: a peer that stops the server's reading itself (1024 requests in flight) must not stop its clock. */
    @Test
    void shouldCountTimeStoppedForThePeersOwnInFlightRequests() {
        EmbeddedChannel ch = serverDecoderChannel();
        ch.writeInbound(track(Unpooled.wrappedBuffer(header(100, MessageType.HEARTBEAT_REQUEST.id(), 1, 6))));
        ReadGate.of(ch).pause(ReadGate.Reason.IN_FLIGHT);
        ch.advanceTimeBy(READ_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
        assertThatThrownBy(ch::checkException).isInstanceOf(WireException.class);
        ch.finishAndReleaseAll();
    }

    /** From review: each pause, however short, gave the frame a whole new read timeout. */
    @Test
    void shouldNotRestartTheReadTimeoutAfterAShortPause() {
        EmbeddedChannel ch = serverDecoderChannel();
        ReadGate gate = ReadGate.of(ch);
        ch.writeInbound(track(Unpooled.wrappedBuffer(header(100, MessageType.HEARTBEAT_REQUEST.id(), 1, 7))));
        for (int i = 0; i < 3; i++) {
            ch.advanceTimeBy(READ_TIMEOUT_MS / 3, TimeUnit.MILLISECONDS);
            gate.pause(ReadGate.Reason.UNWRITABLE);
            gate.resume(ReadGate.Reason.UNWRITABLE);
            ch.runScheduledPendingTasks();
        }
        assertThatThrownBy(ch::checkException).isInstanceOf(WireException.class);
        ch.finishAndReleaseAll();
    }

    @Test
    void shouldLeaveAConnectionQuietBetweenFramesOpen() {
        EmbeddedChannel quiet = serverDecoderChannel();
        assertThat(quiet.writeInbound(encode(Frame.of(7, new HeartbeatRequest(1))))).isTrue();
        quiet.advanceTimeBy(READ_TIMEOUT_MS * 10, TimeUnit.MILLISECONDS);
        quiet.runScheduledPendingTasks();
        quiet.checkException();
        assertThat(quiet.writeInbound(encode(Frame.of(8, new HeartbeatRequest(2))))).isTrue();
        assertThat((Frame) quiet.readInbound()).isEqualTo(Frame.of(7, new HeartbeatRequest(1)));
        assertThat((Frame) quiet.readInbound()).isEqualTo(Frame.of(8, new HeartbeatRequest(2)));
        assertThat(quiet.finishAndReleaseAll()).isFalse();
    }

    @Test
    void shouldWaitForTheHeaderBeforeJudgingALength() {
        EmbeddedChannel channel = decoderChannel();
        assertThat(channel.writeInbound(track(Unpooled.wrappedBuffer(new byte[] {-1, -1, -1, -1, 0, 3})))).isFalse();
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    // ---- bad type, version, body ----------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(ints = {0, 6, 26, 1000, -1, Short.MIN_VALUE, Short.MAX_VALUE})
    void shouldRejectAnUnknownTypeWithoutWaitingForTheBody(int typeId) {
        byte[] header = header(1000, typeId, 1, 31);
        WireException e = decodeError(chunks(header, 3));
        assertThat(e.errorCode()).isEqualTo(ErrorCode.UNKNOWN_MESSAGE_TYPE);
        assertThat(e.correlationId()).isEqualTo(31);
        assertThat(e).hasMessageContaining("unknown message type " + typeId);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 2, -1, Short.MAX_VALUE, Short.MIN_VALUE})
    void shouldRejectAnUnsupportedVersion(int version) {
        ByteBuf frame = encode(new Frame((short) version, 77, new HeartbeatRequest(3)));
        WireException e = decodeError(List.of(frame));
        assertThat(e.errorCode()).isEqualTo(ErrorCode.UNSUPPORTED_VERSION);
        assertThat(e.correlationId()).isEqualTo(77);
        assertThat(e).hasMessageContaining("version " + version).hasMessageContaining("HEARTBEAT_REQUEST");
    }

    @Test
    void shouldRejectATruncatedBody() {
        ByteBuf frame = Unpooled.buffer().writeInt(8 + 2).writeShort(MessageType.HEARTBEAT_REQUEST.id()).writeShort(1)
            .writeInt(12).writeShort(7);
        WireException e = decodeError(List.of(frame));
        assertThat(e.errorCode()).isEqualTo(ErrorCode.MALFORMED_FRAME);
        assertThat(e.correlationId()).isEqualTo(12);
        assertThat(e).hasMessageContaining("broker_id");
    }

    @Test
    void shouldRejectTrailingBytesInsideAFrame() {
        ByteBuf frame = encode(Frame.of(13, new HeartbeatRequest(3)));
        frame.writeByte(0).setInt(0, frame.getInt(0) + 1);
        WireException e = decodeError(List.of(frame));
        assertThat(e.errorCode()).isEqualTo(ErrorCode.MALFORMED_FRAME);
        assertThat(e.correlationId()).isEqualTo(13);
        assertThat(e).hasMessageContaining("1 unexpected bytes after the body of HEARTBEAT_REQUEST");
    }

    @Test
    void shouldDeliverGoodFramesBeforeABadOneAndNothingAfterIt() {
        ByteBuf stream = Unpooled.buffer();
        FrameEncoder.encodeFully(Frame.of(1, new HeartbeatRequest(1)), stream);
        FrameEncoder.encodeFully(Frame.of(2, new HeartbeatRequest(2)), stream);
        stream.writeBytes(header(MAX + 1, MessageType.HEARTBEAT_REQUEST.id(), 1, 3));
        FrameEncoder.encodeFully(Frame.of(4, new HeartbeatRequest(4)), stream);

        EmbeddedChannel channel = decoderChannel();
        assertThatThrownBy(() -> channel.writeInbound(track(stream))).isInstanceOf(DecoderException.class)
            .cause().isInstanceOf(WireException.class);
        assertThat((Frame) channel.readInbound()).isEqualTo(Frame.of(1, new HeartbeatRequest(1)));
        assertThat((Frame) channel.readInbound()).isEqualTo(Frame.of(2, new HeartbeatRequest(2)));
        assertThat(channel.<Object>readInbound()).isNull();

        // The connection is finished: well-formed frames after the error are discarded without a second error.
        assertThat(channel.writeInbound(encode(Frame.of(5, new HeartbeatRequest(5))))).isFalse();
        assertThat(channel.writeInbound(track(Unpooled.wrappedBuffer(header(-5, 0, 0, 0))))).isFalse();
        channel.checkException();
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void shouldRefuseAMaximumBelowTheSmallestFrame() {
        assertThatThrownBy(() -> new FrameDecoder(FrameLayout.MIN_LENGTH_FIELD - 1))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("7");
        EmbeddedChannel channel = new EmbeddedChannel(new FrameDecoder(FrameLayout.MIN_LENGTH_FIELD));
        ByteBuf frame = encode(Frame.of(1, new HeartbeatRequest(1)));
        assertThatThrownBy(() -> channel.writeInbound(frame)).cause()
            .isInstanceOfSatisfying(WireException.class, e -> assertThat(e.errorCode()).isEqualTo(ErrorCode.FRAME_TOO_LARGE))
            .hasMessage("frame length 16 > max.frame.bytes 8");
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void shouldNotOverflowWithTheLargestPossibleMaximum() {
        EmbeddedChannel channel = new EmbeddedChannel(new FrameDecoder(Integer.MAX_VALUE));
        assertThat(channel.writeInbound(track(Unpooled.wrappedBuffer(header(Integer.MAX_VALUE, 3, 1, 1))))).isFalse();
        assertThat(channel.writeInbound(track(Unpooled.wrappedBuffer(new byte[100])))).isFalse();
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    // ---- arbitrary bytes ------------------------------------------------------------------------------------

    @ParameterizedTest(name = "seed={0}")
    @MethodSource("seeds")
    void shouldThrowNothingButWireExceptionOnArbitraryBytes(long seed) {
        Random random = Seeds.random("FrameDecoderTest arbitrary bytes", seed);
        RandomMessages messages = new RandomMessages(random);
        for (int round = 0; round < 300; round++) {
            byte[] bytes = garbage(random, messages);
            EmbeddedChannel channel = new EmbeddedChannel(new FrameDecoder(4096));
            int errors = 0;
            for (ByteBuf chunk : randomChunks(bytes, random)) {
                try {
                    channel.writeInbound(chunk);
                } catch (DecoderException e) {
                    errors++;
                    if (!(e.getCause() instanceof WireException)) {
                        fail("round " + round + ": unexpected " + e.getCause(), e);
                    }
                } catch (RuntimeException e) {
                    fail("round " + round + ": unexpected " + e, e);
                }
            }
            assertThat(errors).as("errors in round %d", round).isLessThanOrEqualTo(1);
            for (Object o; (o = channel.readInbound()) != null; ) {
                ((Frame) o).release();
            }
            channel.finishAndReleaseAll();
        }
    }

    /** Bytes that are sometimes pure noise, sometimes a frame with a noisy body, flipped bytes or a wrong length. */
    private static byte[] garbage(Random random, RandomMessages messages) {
        int kind = random.nextInt(4);
        if (kind == 0) {
            byte[] noise = new byte[random.nextInt(64)];
            random.nextBytes(noise);
            return noise;
        }
        if (kind == 1) {
            byte[] body = new byte[random.nextInt(200)];
            random.nextBytes(body);
            MessageType[] types = MessageType.values();
            ByteBuf b = Unpooled.buffer().writeInt(8 + body.length)
                .writeShort(types[random.nextInt(types.length)].id()).writeShort(1).writeInt(random.nextInt())
                .writeBytes(body);
            return bytesOf(b);
        }
        Frame frame = messages.frame();
        ByteBuf b = Unpooled.buffer();
        FrameEncoder.encodeFully(frame, b);
        frame.release();
        if (b.readableBytes() > 8192) {
            b.writerIndex(8192);
        }
        byte[] bytes = bytesOf(b);
        if (kind == 2) {
            int flips = 1 + random.nextInt(3);
            for (int i = 0; i < flips; i++) {
                int at = FrameLayout.BODY_OFFSET > bytes.length ? 0 : random.nextInt(bytes.length);
                bytes[at] ^= (byte) (1 + random.nextInt(255));
            }
            return bytes;
        }
        // A truncated or extended body with a consistent length field.
        int newLength = FrameLayout.HEADER_LENGTH + random.nextInt(Math.max(1, bytes.length));
        byte[] cut = java.util.Arrays.copyOf(bytes, newLength);
        ByteBuf fixed = Unpooled.wrappedBuffer(cut);
        fixed.setInt(0, newLength - FrameLayout.LENGTH_LENGTH);
        return cut;
    }

    // ---- helpers --------------------------------------------------------------------------------------------

    private EmbeddedChannel decoderChannel() {
        return new EmbeddedChannel(new FrameDecoder(MAX));
    }

    /** A server's decoder, with a gate, a large memory pool and frozen time. */
    private static EmbeddedChannel serverDecoderChannel() {
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.freezeTime();
        ReadGate.install(ch);
        ch.pipeline().addLast(new FrameDecoder(MAX, new RequestMemoryPool(1 << 30), READ_TIMEOUT_MS));
        return ch;
    }

    private EmbeddedChannel defaultDecoderChannel() {
        return new EmbeddedChannel(new FrameDecoder(FrameLayout.DEFAULT_MAX_FRAME_BYTES));
    }

    private ByteBuf track(ByteBuf b) {
        inputs.add(b);
        return b;
    }

    private ByteBuf encode(Frame f) {
        ByteBuf b = ByteBufAllocator.DEFAULT.heapBuffer();
        FrameEncoder.encodeFully(f, b);
        return track(b);
    }

    private static byte[] header(int length, int type, int version, int correlationId) {
        return bytesOf(Unpooled.buffer().writeInt(length).writeShort(type).writeShort(version).writeInt(correlationId));
    }

    private static byte[] bytesOf(ByteBuf b) {
        byte[] out = new byte[b.readableBytes()];
        b.readBytes(out);
        b.release();
        return out;
    }

    private List<ByteBuf> chunks(byte[] bytes, int size) {
        List<ByteBuf> out = new ArrayList<>();
        for (int i = 0; i < bytes.length; i += size) {
            ByteBuf b = ByteBufAllocator.DEFAULT.directBuffer(size);
            b.writeBytes(bytes, i, Math.min(size, bytes.length - i));
            out.add(track(b));
        }
        return out;
    }

    private List<ByteBuf> randomChunks(byte[] bytes, Random random) {
        List<ByteBuf> out = new ArrayList<>();
        int i = 0;
        while (i < bytes.length) {
            int size = Math.min(bytes.length - i, 1 + random.nextInt(random.nextBoolean() ? 16 : 2048));
            ByteBuf b = random.nextBoolean() ? ByteBufAllocator.DEFAULT.directBuffer(size) : Unpooled.buffer(size);
            out.add(track(b.writeBytes(bytes, i, size)));
            i += size;
        }
        return out;
    }

    /** Feeds the chunks one write at a time and returns every frame, asserting nothing is left over. */
    private List<Frame> decode(List<ByteBuf> chunks) {
        chunks.forEach(this::track);
        EmbeddedChannel channel = defaultDecoderChannel();
        List<Frame> frames = new ArrayList<>();
        for (ByteBuf chunk : chunks) {
            channel.writeInbound(chunk);
            for (Object o; (o = channel.readInbound()) != null; ) {
                frames.add((Frame) o);
            }
        }
        assertThat(channel.finish()).isFalse();
        return frames;
    }

    /** Compares and releases the decoded frames. */
    private static void assertDecodesTo(List<Frame> decoded, List<Frame> expected) {
        try {
            assertThat(decoded).hasSameSizeAs(expected);
            for (int i = 0; i < expected.size(); i++) {
                assertThat(decoded.get(i)).as("frame %d", i).isEqualTo(expected.get(i));
            }
        } finally {
            decoded.forEach(Frame::release);
        }
    }

    /** Feeds the chunks; exactly one WireException must come out, and no frame. */
    private WireException decodeError(List<ByteBuf> chunks) {
        chunks.forEach(this::track);
        EmbeddedChannel channel = decoderChannel();
        WireException error = null;
        for (ByteBuf chunk : chunks) {
            try {
                channel.writeInbound(chunk);
            } catch (DecoderException e) {
                assertThat(error).as("second error").isNull();
                assertThat(e.getCause()).isInstanceOf(WireException.class);
                error = (WireException) e.getCause();
            }
        }
        assertThat(channel.<Object>readInbound()).isNull();
        assertThat(channel.finishAndReleaseAll()).isFalse();
        assertThat(error).as("decoder error").isNotNull();
        return error;
    }
}
