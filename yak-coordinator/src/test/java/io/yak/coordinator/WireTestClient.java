package io.yak.coordinator;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.yak.wire.FrameLayout;
import io.yak.wire.MessageType;
import io.yak.wire.codec.FrameDecoder;
import io.yak.wire.codec.FrameEncoder;
import io.yak.wire.codec.Transport;
import io.yak.wire.message.ClusterMetadata;
import io.yak.wire.message.Frame;
import io.yak.wire.message.LeaderInfo;
import io.yak.wire.message.LeaderInfoDelta;
import io.yak.wire.message.Message;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * A minimal peer of the coordinator for integration tests: a Netty client with the wire codecs that sends requests,
 * matches responses by correlation id, and records every LEADER_INFO push it receives.
 */
final class WireTestClient implements AutoCloseable {
    private static final Duration RESPONSE_TIMEOUT = Duration.ofSeconds(5);

    private final EventLoopGroup group;
    private final Channel channel;
    /** Responses, in arrival order; filled by the channel's event loop. */
    private final BlockingQueue<Frame> responses;
    /** LEADER_INFO pushes, in arrival order; filled by the channel's event loop. */
    private final List<ClusterMetadata> pushes;
    /** LEADER_INFO_DELTA frames received. */
    private final AtomicInteger deltaFrames;
    private final AtomicInteger correlationIds = new AtomicInteger(1000);

    private WireTestClient(EventLoopGroup group, Channel channel, BlockingQueue<Frame> responses,
                           List<ClusterMetadata> pushes, AtomicInteger deltaFrames) {
        this.group = group;
        this.channel = channel;
        this.responses = responses;
        this.pushes = pushes;
        this.deltaFrames = deltaFrames;
    }

    static WireTestClient connect(InetSocketAddress address) {
        Transport transport = Transport.best();
        EventLoopGroup group = transport.newGroup(1, "test-client");
        BlockingQueue<Frame> responses = new LinkedBlockingQueue<>();
        List<ClusterMetadata> pushes = new CopyOnWriteArrayList<>();
        AtomicInteger deltaFrames = new AtomicInteger();
        Bootstrap b = new Bootstrap().group(group).channel(transport.channel()).handler(new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline().addLast(new FrameDecoder(FrameLayout.DEFAULT_MAX_FRAME_BYTES), FrameEncoder.INSTANCE,
                    new SimpleChannelInboundHandler<Frame>() {
                        @Override
                        protected void channelRead0(ChannelHandlerContext ctx, Frame frame) {
                            if (frame.type() == MessageType.LEADER_INFO) {
                                pushes.add(((LeaderInfo) frame.message()).metadata());
                            } else if (frame.type() == MessageType.LEADER_INFO_DELTA) {
                                // a delta applies to the view before it: the pushes stay a list of whole views
                                LeaderInfoDelta d = (LeaderInfoDelta) frame.message();
                                deltaFrames.incrementAndGet();
                                ClusterMetadata applied = pushes.isEmpty() ? null
                                    : pushes.get(pushes.size() - 1).apply(d);
                                pushes.add(applied != null ? applied : UNAPPLIED);
                            } else {
                                responses.add(frame);
                            }
                        }
                    });
            }
        });
        Channel ch = b.connect(address).syncUninterruptibly().channel();
        return new WireTestClient(group, ch, responses, pushes, deltaFrames);
    }

    Channel channel() {
        return channel;
    }

    int send(Message m) {
        int id = correlationIds.incrementAndGet();
        channel.writeAndFlush(Frame.of(id, m)).syncUninterruptibly();
        return id;
    }

    void writeRaw(byte[] bytes) {
        channel.writeAndFlush(Unpooled.wrappedBuffer(bytes)).syncUninterruptibly();
    }

    /** Sends a request and waits for the frame with its correlation id; other responses are dropped. */
    Frame call(Message m) {
        return awaitResponse(send(m));
    }

    @SuppressWarnings("unchecked")
    <T extends Message> T request(Message m, Class<T> type) {
        Frame f = call(m);
        if (!type.isInstance(f.message())) {
            throw new AssertionError("expected " + type.getSimpleName() + ", got " + f.message());
        }
        return (T) f.message();
    }

    Frame awaitResponse(int correlationId) {
        long deadline = System.nanoTime() + RESPONSE_TIMEOUT.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            Frame f;
            try {
                f = responses.poll(Math.max(0, left), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
            if (f == null) {
                throw new AssertionError("no response with correlation id " + correlationId + " within "
                    + RESPONSE_TIMEOUT);
            }
            f.release();
            if (f.correlationId() == correlationId) {
                return f;
            }
        }
    }

    /** Stands in the pushes for a delta that did not apply to the view before it (a coordinator bug). */
    static final ClusterMetadata UNAPPLIED = new ClusterMetadata(-1, List.of(), List.of());

    /** Every view pushed so far (LEADER_INFO, or a LEADER_INFO_DELTA applied to the one before), oldest first. */
    List<ClusterMetadata> pushes() {
        return List.copyOf(pushes);
    }

    int deltaFrames() {
        return deltaFrames.get();
    }

    boolean receivedPush(Predicate<ClusterMetadata> matching) {
        return pushes.stream().anyMatch(matching);
    }

    boolean isOpen() {
        return channel.isActive();
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
