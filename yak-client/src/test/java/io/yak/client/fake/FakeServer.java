package io.yak.client.fake;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.yak.wire.FrameLayout;
import io.yak.wire.codec.FrameDecoder;
import io.yak.wire.codec.FrameEncoder;
import io.yak.wire.codec.Transport;
import io.yak.wire.codec.WireErrorHandler;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/** A Netty server on 127.0.0.1:0 with the YaK frame codec; the handler comes from the fake using it. */
public final class FakeServer implements AutoCloseable {
    private final EventLoopGroup group;
    private final Channel server;
    private final ChannelGroup children = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);

    public FakeServer(String name, Supplier<ChannelHandler> handler) {
        Transport t = Transport.best();
        group = t.newGroup(1, name);
        WireErrorHandler errors = new WireErrorHandler(name);
        server = new ServerBootstrap().group(group).channel(t.serverChannel())
            .childHandler(new ChannelInitializer<Channel>() {
                @Override
                protected void initChannel(Channel ch) {
                    children.add(ch);
                    ch.pipeline().addLast(new FrameDecoder(FrameLayout.DEFAULT_MAX_FRAME_BYTES), FrameEncoder.INSTANCE,
                        handler.get(), errors);
                }
            })
            .bind("127.0.0.1", 0).syncUninterruptibly().channel();
    }

    public int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    public String address() {
        return "127.0.0.1:" + port();
    }

    /** Closes every accepted connection (the server keeps listening). */
    public void dropConnections() {
        children.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        server.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        children.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
    }
}
