package io.yak.bench.jmh;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.yak.wire.ErrorCode;
import io.yak.wire.FrameLayout;
import io.yak.wire.MessageType;
import io.yak.wire.codec.FrameDecoder;
import io.yak.wire.codec.FrameEncoder;
import io.yak.wire.message.Frame;
import io.yak.wire.message.Message;
import io.yak.wire.message.Messages;
import io.yak.wire.message.PublishRequest;
import io.yak.wire.message.PublishResponse;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The frame codec on the publish path: encoding a PUBLISH_REQUEST's header (the record batch payload follows it
 * unchanged, never copied) and a PUBLISH_RESPONSE; decoding a PUBLISH_REQUEST body into its message (the payload is
 * a retained slice); and the whole {@link FrameDecoder} in a pipeline, fed 16 frames per read as a socket would.
 * Scores are frames per second.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {Flags.EXPORT_MISC, Flags.EXPORT_REF, Flags.EXPORT_NIO, Flags.OPEN_REFLECT,
    Flags.QUIET_LOG})
public class FrameCodecBenchmark {
    static final int FRAMES_PER_READ = 16;

    private ByteBuf records;
    private Frame publish;
    private Frame publishResponse;
    private ByteBuf out;
    private ByteBuf publishBody;
    private ByteBuf publishStream;
    private ByteBuf responseStream;
    private EmbeddedChannel channel;

    @Setup(Level.Trial)
    public void setUp() {
        records = Batches.batch(Batches.value(100), Batches.recordsPerBatch(100, Batches.BATCH_BYTES));
        publish = Frame.of(7, new PublishRequest("bench-topic", 0, (short) 1, 30_000, records));
        publishResponse = Frame.of(7, new PublishResponse(ErrorCode.NONE, 3, 1_234_567, 0));
        out = PooledByteBufAllocator.DEFAULT.directBuffer(1024);
        ByteBuf one = PooledByteBufAllocator.DEFAULT.directBuffer(Batches.BATCH_BYTES * 2);
        FrameEncoder.encodeFully(publish, one);
        publishBody = one.slice(FrameLayout.BODY_OFFSET, one.readableBytes() - FrameLayout.BODY_OFFSET);
        publishStream = PooledByteBufAllocator.DEFAULT.directBuffer(FRAMES_PER_READ * one.readableBytes());
        responseStream = PooledByteBufAllocator.DEFAULT.directBuffer(FRAMES_PER_READ * 64);
        for (int i = 0; i < FRAMES_PER_READ; i++) {
            publishStream.writeBytes(one, 0, one.readableBytes());
            FrameEncoder.encodeFully(publishResponse, responseStream);
        }
        channel = new EmbeddedChannel(new FrameDecoder(FrameLayout.DEFAULT_MAX_FRAME_BYTES));
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        channel.finishAndReleaseAll();
        publishBody.unwrap().release();
        publishStream.release();
        responseStream.release();
        out.release();
        records.release();
    }

    /** The header a broker-bound publish writes before its batch; the batch itself is passed on, not copied. */
    @Benchmark
    public int encodePublishRequestHeader() {
        out.clear();
        FrameEncoder.encodeHeader(publish, out);
        return out.writerIndex();
    }

    @Benchmark
    public int encodePublishResponse() {
        out.clear();
        FrameEncoder.encodeFully(publishResponse, out);
        return out.writerIndex();
    }

    @Benchmark
    public long decodePublishRequestBody() {
        publishBody.readerIndex(0);
        Message m = Messages.decode(MessageType.PUBLISH_REQUEST, publishBody);
        long n = m.payload().readableBytes();
        m.release();
        return n;
    }

    @Benchmark
    @OperationsPerInvocation(FRAMES_PER_READ)
    public void decodePublishRequestFrames(Blackhole bh) {
        decodeAll(publishStream, bh);
    }

    @Benchmark
    @OperationsPerInvocation(FRAMES_PER_READ)
    public void decodePublishResponseFrames(Blackhole bh) {
        decodeAll(responseStream, bh);
    }

    private void decodeAll(ByteBuf stream, Blackhole bh) {
        channel.writeInbound(stream.retainedDuplicate());
        Frame f;
        while ((f = channel.readInbound()) != null) {
            bh.consume(f.correlationId());
            f.release();
        }
    }
}
