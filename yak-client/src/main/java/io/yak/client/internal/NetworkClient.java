package io.yak.client.internal;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import io.yak.wire.codec.Transport;
import io.yak.wire.config.HostPort;
import io.yak.wire.log.LogText;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * All connections of one client instance (producer, consumer or admin): one {@link Connection} per server
 * address, sharing one event loop group with a single daemon thread {@code yak-client-io-*}.
 *
 * <p>Thread-safe. {@link #close()} fails every outstanding request and stops the event loop; call it from a
 * user thread, never from a future callback running on the event loop.
 */
public final class NetworkClient implements AutoCloseable {
    /** Default bound on outstanding requests per connection. */
    public static final int DEFAULT_MAX_IN_FLIGHT = 64;
    /** Largest response frame accepted: consume responses hold at least one whole batch. */
    static final int MAX_RESPONSE_FRAME_BYTES = 64 * 1024 * 1024;
    private static final Logger LOG = LoggerFactory.getLogger(NetworkClient.class);

    private final String name;
    private final long requestTimeoutMs;
    private final int maxInFlight;
    private final EventLoopGroup group;
    private final Bootstrap bootstrap;
    private final ConcurrentHashMap<HostPort, Connection> connections = new ConcurrentHashMap<>();
    private volatile boolean closed;

    public NetworkClient(String name, long requestTimeoutMs, int connectTimeoutMs, int maxInFlight) {
        if (maxInFlight < 1) {
            throw new IllegalArgumentException("maxInFlight " + maxInFlight + " < 1");
        }
        this.name = name;
        this.requestTimeoutMs = requestTimeoutMs;
        this.maxInFlight = maxInFlight;
        Transport transport = Transport.best();
        this.group = transport.newGroup(1, "yak-client-io");
        this.bootstrap = new Bootstrap().group(group).channel(transport.channel())
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.SO_KEEPALIVE, true)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, connectTimeoutMs)
            .option(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT);
    }

    public String name() {
        return name;
    }

    public long requestTimeoutMs() {
        return requestTimeoutMs;
    }

    /** The connection to {@code address}, created (not yet connected) on first use. */
    public Connection connection(HostPort address) {
        Connection c = connections.get(address);
        if (c != null) {
            return c;
        }
        return connections.computeIfAbsent(address, a -> new Connection(this, a, maxInFlight));
    }

    /** Closes the channel to {@code address} if there is one; the next request reconnects. */
    public void disconnect(HostPort address) {
        Connection c = connections.get(address);
        if (c != null) {
            c.close();
        }
    }

    Bootstrap bootstrap() {
        return bootstrap;
    }

    boolean isClosed() {
        return closed;
    }

    boolean inEventLoop() {
        for (EventExecutor e : group) {
            if (e.inEventLoop()) {
                return true;
            }
        }
        return false;
    }

    /** Closes every connection (their requests fail) and stops the event loop, waiting up to 5 s. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (Connection c : connections.values()) {
            c.close();
        }
        connections.clear();
        io.netty.util.concurrent.Future<?> f = group.shutdownGracefully(0, 5, TimeUnit.SECONDS);
        if (!inEventLoop()) {
            if (!f.awaitUninterruptibly(10, TimeUnit.SECONDS)) {
                LOG.warn("{}: event loop did not stop within 10 s", LogText.safe(name));
            }
        }
    }
}
