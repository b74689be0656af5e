package io.yak.wire.net;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.resolver.AddressResolver;
import io.netty.resolver.AddressResolverGroup;
import io.netty.resolver.DefaultNameResolver;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.yak.wire.FrameLayout;
import io.yak.wire.codec.Transport;
import io.yak.wire.config.HostPort;
import io.yak.wire.log.LogText;
import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The request/response side of the YaK protocol, shared by clients (producer, consumer, admin) and brokers (replica
 * fetcher, coordinator link): one {@link Connection} per server address, requests pipelined on it and answers
 * matched by correlation id ({@code WIRE.md}, "Overview"). Build one with {@link #builder(String)}:
 *
 * <pre>{@code
 * NetworkClient net = NetworkClient.builder("yak-replica-fetcher-1")
 *     .requestTimeoutMs(30_000).maxResponseFrameBytes(64 << 20)
 *     .eventLoopGroup(workerGroup, Transport.best())   // optional: share the server's event loops
 *     .build();
 * Connection leader = net.connection(new HostPort("10.0.0.2", 7001));
 * leader.listener(new ConnectionListener() { public void disconnected() { ... } });
 * leader.send(request, 5_000).whenComplete((response, error) -> { ...; response.release(); });
 * }</pre>
 *
 * <p>Threads: with no group given, the client starts its own event loop group of one daemon thread named after
 * {@link Builder#ioThreadName}; with {@link Builder#eventLoopGroup} it uses (never stops) the given one. Every channel
 * and every response future lives on an event loop of that group. DNS names are resolved on the calling thread, or,
 * when the caller is one of the group's event loops, on Netty's {@link GlobalEventExecutor}: an event loop never
 * blocks on DNS.
 *
 * <p>Failures are built by the {@link RequestFailures} given ({@link RequestFailures#WIRE} by default).
 *
 * <p>Thread-safe. {@link #close()} fails every outstanding request and stops an owned event loop group; call it
 * from a thread that is not one of the group's event loops when the group is owned (it waits for the loop to stop).
 */
public final class NetworkClient implements AutoCloseable {
    /** Default bound on outstanding requests per connection. */
    public static final int DEFAULT_MAX_IN_FLIGHT = 64;
    /** Default largest response frame accepted: consume responses hold at least one whole batch. */
    public static final int DEFAULT_MAX_RESPONSE_FRAME_BYTES = 64 * 1024 * 1024;
    private static final Logger LOG = LoggerFactory.getLogger(NetworkClient.class);
    /** Resolves names off the event loops (Netty's shared executor starts its thread on demand). */
    private static final AddressResolverGroup<InetSocketAddress> OFF_LOOP_RESOLVER =
        new AddressResolverGroup<>() {
            @Override
            protected AddressResolver<InetSocketAddress> newResolver(EventExecutor executor) {
                return new DefaultNameResolver(GlobalEventExecutor.INSTANCE).asAddressResolver();
            }
        };

    private final String name;
    private final long requestTimeoutMs;
    private final int maxInFlight;
    private final int maxResponseFrameBytes;
    private final RequestFailures failures;
    private final EventLoopGroup group;
    private final boolean ownsGroup;
    private final Bootstrap bootstrap;
    private final ConcurrentHashMap<HostPort, Connection> connections = new ConcurrentHashMap<>();
    private volatile boolean closed;

    private NetworkClient(Builder b) {
        this.name = b.name;
        this.requestTimeoutMs = b.requestTimeoutMs;
        this.maxInFlight = b.maxInFlight;
        this.maxResponseFrameBytes = b.maxResponseFrameBytes;
        this.failures = b.failures;
        Transport transport = b.transport != null ? b.transport : Transport.best();
        this.ownsGroup = b.group == null;
        this.group = ownsGroup ? transport.newGroup(1, b.ioThreadName) : b.group;
        this.bootstrap = new Bootstrap().group(group).channel(transport.channel())
            .resolver(OFF_LOOP_RESOLVER)
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.SO_KEEPALIVE, true)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, b.connectTimeoutMs)
            .option(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT);
    }

    /** A builder with the defaults: 30 s request timeout, 10 s connect timeout, 64 in flight, own event loop. */
    public static Builder builder(String name) {
        return new Builder(name);
    }

    /** The name given to the builder, for log lines (unescaped). */
    public String name() {
        return name;
    }

    /** Timeout of {@link Connection#send(io.yak.wire.message.Message)} and of handshakes. */
    public long requestTimeoutMs() {
        return requestTimeoutMs;
    }

    /**
     * The connection to {@code address}, created (not yet connected) on first use and kept until {@link #close()};
     * it reconnects on the next request after its channel closed.
     */
    public Connection connection(HostPort address) {
        Connection c = connections.get(address);
        if (c != null) {
            return c;
        }
        return connections.computeIfAbsent(address, a -> new Connection(this, a, maxInFlight));
    }

    /** Closes the channel to {@code address} if there is one (its requests fail); the next request reconnects. */
    public void disconnect(HostPort address) {
        Connection c = connections.get(address);
        if (c != null) {
            c.close();
        }
    }

    Bootstrap bootstrap() {
        return bootstrap;
    }

    int maxResponseFrameBytes() {
        return maxResponseFrameBytes;
    }

    RequestFailures failures() {
        return failures;
    }

    boolean isClosed() {
        return closed;
    }

    /** Whether the calling thread is one of this client's event loops (it must never block). */
    public boolean inEventLoop() {
        for (EventExecutor e : group) {
            if (e.inEventLoop()) {
                return true;
            }
        }
        return false;
    }

    /**
     * Closes every connection (their requests fail with a connection failure) and, when the client owns its event
     * loop group, stops it, waiting up to 10 s unless called on it. Idempotent.
     */
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
        if (!ownsGroup) {
            return;
        }
        io.netty.util.concurrent.Future<?> f = group.shutdownGracefully(0, 5, TimeUnit.SECONDS);
        if (!inEventLoop()) {
            if (!f.awaitUninterruptibly(10, TimeUnit.SECONDS)) {
                LOG.warn("{}: event loop did not stop within 10 s", LogText.safe(name));
            }
        }
    }

    /** Settings of a {@link NetworkClient}; not thread-safe, use it on one thread. */
    public static final class Builder {
        private final String name;
        private long requestTimeoutMs = 30_000;
        private int connectTimeoutMs = 10_000;
        private int maxInFlight = DEFAULT_MAX_IN_FLIGHT;
        private int maxResponseFrameBytes = DEFAULT_MAX_RESPONSE_FRAME_BYTES;
        private RequestFailures failures = RequestFailures.WIRE;
        private String ioThreadName = "yak-client-io";
        private EventLoopGroup group;
        private Transport transport;

        private Builder(String name) {
            this.name = Objects.requireNonNull(name, "name");
        }

        /** Deadline of {@link Connection#send(io.yak.wire.message.Message)} and of handshakes; {@code >= 1}. */
        public Builder requestTimeoutMs(long ms) {
            if (ms < 1) {
                throw new IllegalArgumentException("requestTimeoutMs " + ms + " < 1");
            }
            this.requestTimeoutMs = ms;
            return this;
        }

        /** TCP connect timeout; {@code >= 1}. */
        public Builder connectTimeoutMs(int ms) {
            if (ms < 1) {
                throw new IllegalArgumentException("connectTimeoutMs " + ms + " < 1");
            }
            this.connectTimeoutMs = ms;
            return this;
        }

        /** Outstanding requests per connection; further senders wait for a slot (see {@link Connection#send}). */
        public Builder maxInFlight(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("maxInFlight " + n + " < 1");
            }
            this.maxInFlight = n;
            return this;
        }

        /** Largest response frame ({@code length} field) accepted; a larger one closes the connection. */
        public Builder maxResponseFrameBytes(int bytes) {
            if (bytes < FrameLayout.MIN_LENGTH_FIELD) {
                throw new IllegalArgumentException("maxResponseFrameBytes " + bytes + " < "
                    + FrameLayout.MIN_LENGTH_FIELD);
            }
            this.maxResponseFrameBytes = bytes;
            return this;
        }

        /** The exceptions request futures fail with; {@link RequestFailures#WIRE} by default. */
        public Builder failures(RequestFailures f) {
            this.failures = Objects.requireNonNull(f, "failures");
            return this;
        }

        /** Thread name prefix of the owned event loop ({@code yak-client-io} by default); unused with a group. */
        public Builder ioThreadName(String prefix) {
            this.ioThreadName = Objects.requireNonNull(prefix, "prefix");
            return this;
        }

        /**
         * Runs the connections on {@code group} (created with {@code transport}, whose socket channel type is used)
         * instead of an own event loop; {@link NetworkClient#close()} leaves the group running.
         */
        public Builder eventLoopGroup(EventLoopGroup group, Transport transport) {
            this.group = Objects.requireNonNull(group, "group");
            this.transport = Objects.requireNonNull(transport, "transport");
            return this;
        }

        public NetworkClient build() {
            return new NetworkClient(this);
        }
    }
}
