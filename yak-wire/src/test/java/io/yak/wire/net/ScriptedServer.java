package io.yak.wire.net;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.yak.wire.FrameLayout;
import io.yak.wire.codec.FrameDecoder;
import io.yak.wire.codec.FrameEncoder;
import io.yak.wire.codec.Transport;
import io.yak.wire.config.HostPort;
import io.yak.wire.message.Frame;
import io.yak.wire.message.Message;
import java.net.InetSocketAddress;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A Netty server on 127.0.0.1, ephemeral port, with the YaK frame codec, that queues every request it receives for
 * the test to answer (or not) by hand.
 */
final class ScriptedServer implements AutoCloseable {
    /** A request as the server received it; the test owns its payload. */
    record Received(ChannelHandlerContext ctx, int correlationId, Message message) {
        void answer(Message m) {
            ctx.writeAndFlush(Frame.of(correlationId, m));
        }
    }

    private final EventLoopGroup group;
    private final Channel server;
    private final BlockingQueue<Received> received = new LinkedBlockingQueue<>();

    ScriptedServer() {
        Transport t = Transport.best();
        group = t.newGroup(1, "scripted-server");
        server = new ServerBootstrap().group(group).channel(t.serverChannel())
            .childHandler(new ChannelInitializer<Channel>() {
                @Override
                protected void initChannel(Channel ch) {
                    ch.pipeline().addLast(new FrameDecoder(FrameLayout.DEFAULT_MAX_FRAME_BYTES), FrameEncoder.INSTANCE,
                        new ChannelInboundHandlerAdapter() {
                            @Override
                            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                Frame f = (Frame) msg;
                                received.add(new Received(ctx, f.correlationId(), f.message()));
                            }
                        });
                }
            })
            .bind("127.0.0.1", 0).syncUninterruptibly().channel();
    }

    int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    HostPort address() {
        return new HostPort("127.0.0.1", port());
    }

    /** The next request, waiting up to 10 s; null when none came. */
    Received next() throws InterruptedException {
        return received.poll(10, TimeUnit.SECONDS);
    }

    /** The next request if one comes within {@code ms}. */
    Received poll(long ms) throws InterruptedException {
        return received.poll(ms, TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        server.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
        Received r;
        while ((r = received.poll()) != null) {
            r.message().release();
        }
    }
}
