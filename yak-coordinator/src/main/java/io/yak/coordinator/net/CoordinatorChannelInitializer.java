package io.yak.coordinator.net;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.group.ChannelGroup;
import io.yak.wire.codec.ServerChannels;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The pipeline of every accepted connection: the server front every YaK server shares ({@link
 * ServerChannels#initFront}: slow-reader guard, frame decoder bounded in size, memory and read time, encoder), a
 * {@link CoordinatorRequestHandler}, and the {@link io.yak.wire.codec.WireErrorHandler}, which answers a bad frame
 * with ERROR_RESPONSE and closes that connection only. Sharable; runs on the accepting event loop.
 */
public final class CoordinatorChannelInitializer extends ChannelInitializer<Channel> {
    private final ServerChannels server;
    private final RequestProcessor processor;
    private final Broadcaster broadcaster;
    private final ChannelGroup allChannels;
    /** Connection ids start at 1; 0 means "no connection". */
    private final AtomicLong connectionIds = new AtomicLong();

    /**
     * @param allChannels every accepted connection is added, so the server can close them all
     */
    public CoordinatorChannelInitializer(ServerChannels server, RequestProcessor processor, Broadcaster broadcaster,
                                         ChannelGroup allChannels) {
        this.server = server;
        this.processor = processor;
        this.broadcaster = broadcaster;
        this.allChannels = allChannels;
    }

    @Override
    protected void initChannel(Channel ch) {
        allChannels.add(ch);
        server.initFront(ch);
        ch.pipeline()
            .addLast("requests", new CoordinatorRequestHandler(connectionIds.incrementAndGet(), processor,
                broadcaster, server.rejections()))
            .addLast("errors", server.errorHandler());
    }
}
