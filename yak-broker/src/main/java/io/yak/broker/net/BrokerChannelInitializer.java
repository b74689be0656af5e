package io.yak.broker.net;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.group.ChannelGroup;
import io.yak.broker.partition.PartitionManager;
import io.yak.wire.codec.FrameDecoder;
import io.yak.wire.codec.FrameEncoder;
import io.yak.wire.codec.WireErrorHandler;

/**
 * The broker's pipeline: read timer (for frames left incomplete), frame decoder, encoder, request handler, then the
 * wire error handler.
 */
public final class BrokerChannelInitializer extends ChannelInitializer<Channel> {
    private final PartitionManager partitions;
    private final int maxFrameBytes;
    private final long timestampAfterMaxMs;
    private final WireErrorHandler errors;
    private final ChannelGroup connections;

    /**
     * @param timestampAfterMaxMs publishes with a record timestamp further ahead of this broker's clock are refused
     *                            ({@code log.message.timestamp.after.max.ms}; {@link Long#MAX_VALUE}: no limit)
     * @param connections         every accepted connection is added, so a stop can close them all
     */
    public BrokerChannelInitializer(PartitionManager partitions, int maxFrameBytes, long timestampAfterMaxMs,
                                    WireErrorHandler errors, ChannelGroup connections) {
        this.partitions = partitions;
        this.maxFrameBytes = maxFrameBytes;
        this.timestampAfterMaxMs = timestampAfterMaxMs;
        this.errors = errors;
        this.connections = connections;
    }

    @Override
    protected void initChannel(Channel ch) {
        connections.add(ch);
        ch.pipeline()
            .addLast("read-timer", FrameDecoder.readTimer(FrameDecoder.INCOMPLETE_FRAME_TIMEOUT_MS))
            .addLast("frame-decoder", new FrameDecoder(maxFrameBytes))
            .addLast("frame-encoder", FrameEncoder.INSTANCE)
            .addLast("requests", new BrokerRequestHandler(partitions, timestampAfterMaxMs))
            .addLast("errors", errors);
    }
}
