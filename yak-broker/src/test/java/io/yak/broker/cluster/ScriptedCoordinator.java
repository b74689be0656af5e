package io.yak.broker.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.yak.wire.FrameLayout;
import io.yak.wire.codec.FrameDecoder;
import io.yak.wire.codec.FrameEncoder;
import io.yak.wire.config.HostPort;
import io.yak.wire.message.Frame;
import io.yak.wire.message.HeartbeatRequest;
import io.yak.wire.message.Message;
import java.net.InetSocketAddress;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A coordinator on loopback that only records what a {@link CoordinatorLink} sends: the test answers each request
 * by hand, so the order of registrations, answers and pushes is under its control.
 */
final class ScriptedCoordinator implements AutoCloseable {
    /** What the link sent, on which connection, with the correlation id to answer. */
    record Received(Channel channel, int correlationId, Message message) {
        void answer(Message response) {
            channel.writeAndFlush(Frame.of(correlationId, response));
        }
    }

    /** Requests, in arrival order; heartbeats too unless they are kept apart. */
    final BlockingQueue<Received> requests = new LinkedBlockingQueue<>();
    /** Heartbeats, when kept apart from the other requests. */
    final BlockingQueue<Received> heartbeats = new LinkedBlockingQueue<>();
    private final EventLoopGroup group = new NioEventLoopGroup(1);
    private final Channel server;
    private volatile Channel lastConnection;

    /** @param heartbeatsApart whether heartbeats go to {@link #heartbeats} rather than {@link #requests} */
    ScriptedCoordinator(boolean heartbeatsApart) throws InterruptedException {
        server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
            .childHandler(new ChannelInitializer<SocketChannel>() {
                @Override
                protected void initChannel(SocketChannel ch) {
                    ch.pipeline().addLast(new FrameDecoder(FrameLayout.DEFAULT_MAX_FRAME_BYTES),
                        FrameEncoder.INSTANCE, new ChannelInboundHandlerAdapter() {
                            @Override
                            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                Frame f = (Frame) msg;
                                try {
                                    lastConnection = ctx.channel();
                                    Received r = new Received(ctx.channel(), f.correlationId(), f.message());
                                    boolean apart = heartbeatsApart && f.message() instanceof HeartbeatRequest;
                                    (apart ? heartbeats : requests).add(r);
                                } finally {
                                    f.release();
                                }
                            }
                        });
                }
            }).bind("127.0.0.1", 0).sync().channel();
    }

    HostPort address() {
        return new HostPort("127.0.0.1", ((InetSocketAddress) server.localAddress()).getPort());
    }

    /** The next message taken from {@code queue}, waiting up to 5 s for it. */
    static Received next(BlockingQueue<Received> queue) throws InterruptedException {
        Received r = queue.poll(5, TimeUnit.SECONDS);
        assertThat(r).as("a request from the link").isNotNull();
        return r;
    }

    /** Pushes {@code m} (correlation id 0) on the connection the link last sent on. */
    void push(Message m) {
        lastConnection.writeAndFlush(Frame.of(0, m));
    }

    @Override
    public void close() throws InterruptedException {
        server.close().sync();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }
}
