package io.yak.broker.net;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.group.ChannelGroup;
import io.yak.broker.partition.PartitionManager;
import io.yak.wire.codec.ServerChannels;

/**
 * The broker's pipeline: the server front every YaK server shares ({@link ServerChannels#initFront}: slow-reader
 * guard, frame decoder bounded in size, memory and read time, encoder), the request handler, then the wire error
 * handler.
 */
public final class BrokerChannelInitializer extends ChannelInitializer<Channel> {
    private final PartitionManager partitions;
    private final long timestampAfterMaxMs;
    private final ServerChannels server;
    private final ChannelGroup connections;
    private final RequestMetrics metrics;

    /**
     * @param timestampAfterMaxMs publishes with a record timestamp further ahead of this broker's clock are refused
     *                            ({@code log.message.timestamp.after.max.ms}; {@link Long#MAX_VALUE}: no limit)
     * @param connections         every accepted connection is added, so a stop can close them all
     * @param metrics             where request latencies and error answers are counted
     */
    public BrokerChannelInitializer(PartitionManager partitions, long timestampAfterMaxMs, ServerChannels server,
                                    ChannelGroup connections, RequestMetrics metrics) {
        this.partitions = partitions;
        this.timestampAfterMaxMs = timestampAfterMaxMs;
        this.server = server;
        this.connections = connections;
        this.metrics = metrics;
    }

    @Override
    protected void initChannel(Channel ch) {
        connections.add(ch);
        server.initFront(ch);
        ch.pipeline()
            .addLast("requests", new BrokerRequestHandler(partitions, timestampAfterMaxMs, server.rejections(),
                metrics))
            .addLast("errors", server.errorHandler());
    }
}
