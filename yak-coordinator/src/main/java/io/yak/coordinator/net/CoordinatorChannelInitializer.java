package io.yak.coordinator.net;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.group.ChannelGroup;
import io.yak.wire.codec.FrameDecoder;
import io.yak.wire.codec.FrameEncoder;
import io.yak.wire.codec.WireErrorHandler;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The pipeline of every accepted connection: {@link FrameDecoder} (bounded by max.frame.bytes),
 * {@link FrameEncoder}, a {@link CoordinatorRequestHandler}, and the {@link WireErrorHandler}, which answers a bad
 * frame with ERROR_RESPONSE and closes that connection only. Sharable; runs on the accepting event loop.
 */
public final class CoordinatorChannelInitializer extends ChannelInitializer<Channel> {
    private final int maxFrameBytes;
    private final RequestProcessor processor;
    private final Broadcaster broadcaster;
    private final WireErrorHandler errorHandler;
    private final ChannelGroup allChannels;
    /** Connection ids start at 1; 0 means "no connection". */
    private final AtomicLong connectionIds = new AtomicLong();

    /**
     * @param allChannels every accepted connection is added, so the server can close them all
     */
    public CoordinatorChannelInitializer(int maxFrameBytes, RequestProcessor processor, Broadcaster broadcaster,
                                         WireErrorHandler errorHandler, ChannelGroup allChannels) {
        this.maxFrameBytes = maxFrameBytes;
        this.processor = processor;
        this.broadcaster = broadcaster;
        this.errorHandler = errorHandler;
        this.allChannels = allChannels;
    }

    @Override
    protected void initChannel(Channel ch) {
        allChannels.add(ch);
        ch.pipeline()
            .addLast("read-timer", FrameDecoder.readTimer(FrameDecoder.INCOMPLETE_FRAME_TIMEOUT_MS))
            .addLast("frameDecoder", new FrameDecoder(maxFrameBytes))
            .addLast("frameEncoder", FrameEncoder.INSTANCE)
            .addLast("requests", new CoordinatorRequestHandler(connectionIds.incrementAndGet(), processor,
                broadcaster))
            .addLast("errors", errorHandler);
    }
}
