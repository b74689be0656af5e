package io.yak.wire.codec;

import io.netty.channel.Channel;
import io.yak.wire.log.RejectionLog;

/**
 * The connection-handling parts one server shares across its connections: its {@link ServerLimits}, the memory
 * pool for requests being read, the {@link RejectionLog} and the {@link WireErrorHandler}. Builds the front of each
 * accepted connection's pipeline, the same for broker and coordinator:
 * {@code slow-reader-guard -> frame-decoder -> frame-encoder}, after which the server adds its request handler and
 * then {@link #errorHandler()}.
 *
 * <p>Thread-safe; one per server.
 */
public final class ServerChannels {
    private final ServerLimits limits;
    private final RequestMemoryPool memory;
    private final RejectionLog rejections;
    private final WireErrorHandler errorHandler;

    /** @param serverName starts the server's rejection log lines ("broker 1", "coordinator") */
    public ServerChannels(String serverName, ServerLimits limits) {
        this(limits, new RejectionLog(serverName));
    }

    public ServerChannels(ServerLimits limits, RejectionLog rejections) {
        this.limits = limits;
        this.memory = new RequestMemoryPool(limits.queuedMaxRequestBytes());
        this.rejections = rejections;
        this.errorHandler = new WireErrorHandler(rejections.serverName(), rejections);
    }

    /** Installs the read gate and adds the pipeline's first handlers; call first in {@code initChannel}. */
    public void initFront(Channel ch) {
        ReadGate.install(ch);
        ch.pipeline()
            .addLast("slow-reader-guard", new SlowReaderGuard(limits.responseWriteTimeoutMs(), rejections))
            .addLast("frame-decoder", new FrameDecoder(limits.maxFrameBytes(), memory, limits.requestReadTimeoutMs()))
            .addLast("frame-encoder", FrameEncoder.INSTANCE);
    }

    public ServerLimits limits() {
        return limits;
    }

    public RequestMemoryPool memory() {
        return memory;
    }

    public RejectionLog rejections() {
        return rejections;
    }

    /** The pipeline's last handler; sharable. */
    public WireErrorHandler errorHandler() {
        return errorHandler;
    }
}
