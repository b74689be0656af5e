package io.yak.broker;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.yak.broker.cluster.CoordinatorLink;
import io.yak.broker.cluster.NetworkReplicaFetchClient;
import io.yak.broker.net.BrokerChannelInitializer;
import io.yak.broker.net.RequestMetrics;
import io.yak.broker.partition.PartitionManager;
import io.yak.wire.ErrorCode;
import io.yak.wire.codec.Transport;
import io.yak.wire.config.IoReasons;
import io.yak.wire.codec.RequestMemoryPool;
import io.yak.wire.codec.ServerChannels;
import io.yak.wire.log.RejectionLog;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.yak.wire.log.RejectReason;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.yak.wire.message.ClusterMetadata;
import io.yak.wire.message.PartitionRef;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One broker: recovers its partition logs, listens for clients, and keeps its coordinator link. Lifecycle:
 * {@link #start()} once, then {@link #close()} (clean) or {@link #halt()} (as a crash would leave the data).
 */
public final class BrokerServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BrokerServer.class);
    /** A clean stop waits at most this long for the coordinator to confirm it took the partitions offline. */
    static final long SHUTDOWN_ANNOUNCE_TIMEOUT_MS = 5000;
    /** How often the partitions this broker leads are reported to the coordinator (its console and lag figures). */
    static final long STATS_REPORT_INTERVAL_MS = 2000;

    private final BrokerConfig config;
    private final Transport transport = Transport.best();
    private final ServerChannels server;
    private final MeterRegistry registry;
    private final RequestMetrics requestMetrics;
    private EventLoopGroup bossGroup;
    private EventLoopGroup workerGroup;
    private Channel serverChannel;
    private final ChannelGroup clients = new DefaultChannelGroup("broker-clients", GlobalEventExecutor.INSTANCE);
    private PartitionManager partitions;
    private CoordinatorLink link;
    private InetSocketAddress address;
    private volatile boolean stopped;

    /** A broker whose meters nobody reads but its own tests. */
    public BrokerServer(BrokerConfig config) {
        this(config, new SimpleMeterRegistry());
    }

    /** A broker that registers its meters in {@code registry} (the process's, exposed on its HTTP port). */
    public BrokerServer(BrokerConfig config, MeterRegistry registry) {
        this.config = config;
        this.registry = registry;
        this.server = new ServerChannels("broker " + config.brokerId(), config.limits());
        this.requestMetrics = new RequestMetrics(registry);
        registerMeters();
    }

    private void registerMeters() {
        for (RejectReason reason : RejectReason.values()) {
            FunctionCounter.builder("yak.rejected", server.rejections(), r -> r.count(reason)).tag("server", "broker")
                .tag("reason", reason.tag()).description("requests refused and connections closed, by reason")
                .register(registry);
        }
        FunctionCounter.builder("yak.request.memory.pauses", server.memory(), RequestMemoryPool::pauses)
            .tag("server", "broker").description("times a connection stopped reading for lack of request memory")
            .register(registry);
        Gauge.builder("yak.request.memory.available", server.memory(), RequestMemoryPool::availableBytes)
            .tag("server", "broker").baseUnit("bytes").register(registry);
        Gauge.builder("yak.connections", clients, ChannelGroup::size).tag("server", "broker")
            .description("open connections of clients and peers").register(registry);
    }

    /**
     * Why this broker is not ready to serve (for {@code /health}); empty once it listens, has registered with the
     * coordinator and has not begun to stop.
     */
    public List<String> notReadyReasons() {
        if (stopped) {
            return List.of("broker " + config.brokerId() + " is stopping");
        }
        if (address == null) {
            return List.of("broker " + config.brokerId() + " is starting (recovering its logs)");
        }
        if (!registered()) {
            return List.of("broker " + config.brokerId() + " is not registered with the coordinator at "
                + config.coordinator());
        }
        return List.of();
    }

    /**
     * Recovers the logs, binds, and starts registering with the coordinator. Blocks until bound. On failure
     * releases what it started.
     *
     * @throws IOException with a one-line message naming what and why: {@code cannot use data.dir D: REASON} or
     *                     {@code cannot listen on HOST:PORT: REASON}
     */
    public void start() throws IOException, InterruptedException {
        LOG.info("broker {}: starting; transport {}, data.dir {}; {}", config.brokerId(), transport,
            config.dataDir().toAbsolutePath(), config.describe());
        try {
            link = new CoordinatorLink(config.brokerId(), config.coordinator(), config.heartbeatIntervalMs(),
                config.maxFrameBytes(), this::onMetadata, this::offlinePartitions);
            partitions = new PartitionManager(config.brokerId(), config.dataDir(), config.log(), config.logThreads(),
                config.autoCreateTopics(), config.numPartitions(), config.retention(), link::createTopic,
                config.replication(), link, new NetworkReplicaFetchClient(config.brokerId(),
                    Math.max(config.maxFrameBytes(), config.replication().replicaFetchResponseMaxBytes() + (1 << 20))));
            partitions.bindMeters(registry);
            try {
                partitions.scanExisting();
            } catch (IOException e) {
                throw new IOException("cannot use data.dir " + config.dataDir().toAbsolutePath() + ": "
                    + IoReasons.reason(e, config.dataDir()), e);
            }
            bind();
        } catch (IOException | InterruptedException | RuntimeException e) {
            stop(true);
            throw e;
        }
        LOG.info("broker {}: listening on {}", config.brokerId(), address);
        link.reportStats(partitions::leaderStats, STATS_REPORT_INTERVAL_MS);
        link.start(config.listen().host(), address.getPort(), partitions.previousShutdownClean());
    }

    private void bind() throws IOException, InterruptedException {
        bossGroup = transport.newGroup(1, "yak-broker-accept");
        workerGroup = transport.newGroup(0, "yak-broker-io");
        ServerBootstrap b = new ServerBootstrap().group(bossGroup, workerGroup)
            .channel(transport.serverChannel())
            .option(ChannelOption.SO_BACKLOG, 1024)
            .option(ChannelOption.SO_REUSEADDR, true)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childOption(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
            .childHandler(new BrokerChannelInitializer(partitions, config.timestampAfterMaxMs(), server, clients,
                requestMetrics));
        ChannelFuture bound = b.bind(config.listen().host(), config.listen().port()).await();
        if (!bound.isSuccess()) {
            // One line for the operator; the stack trace only helps a developer.
            LOG.debug("broker {}: bind to {} failed", config.brokerId(), config.listen(), bound.cause());
            throw new IOException("cannot listen on " + config.listen() + ": " + IoReasons.reason(bound.cause()),
                bound.cause());
        }
        serverChannel = bound.channel();
        address = (InetSocketAddress) serverChannel.localAddress();
        long flushMs = server.rejections().intervalMs();
        workerGroup.next().scheduleAtFixedRate(server.rejections()::flush, flushMs, flushMs, TimeUnit.MILLISECONDS);
    }

    private void onMetadata(ClusterMetadata metadata) {
        partitions.onMetadata(metadata);
    }

    private List<PartitionRef> offlinePartitions() {
        PartitionManager p = partitions;
        return p == null ? List.of() : p.offlinePartitions();
    }

    public InetSocketAddress address() {
        return address;
    }

    public int brokerId() {
        return config.brokerId();
    }

    public BrokerConfig config() {
        return config;
    }

    /** True once the coordinator accepted this broker's registration. */
    public boolean registered() {
        return link != null && link.registered();
    }

    /** Connections closed because their peer broke the wire rules. */
    public long badFrames() {
        return server.errorHandler().badFrames();
    }

    /** What this broker refused, counted by reason; its log lines are rate-limited per host and reason. */
    public RejectionLog rejections() {
        return server.rejections();
    }

    /** The shared bound on bytes of requests being read. */
    public RequestMemoryPool requestMemory() {
        return server.memory();
    }

    /** The broker's meters ({@code METRICS.md}). */
    public MeterRegistry meterRegistry() {
        return registry;
    }

    /** Publishes appended in place on an event loop since start (the rest went to writer threads). */
    public long inPlaceAppends() {
        return partitions.inPlaceAppends();
    }

    /** Publishes appended by partition writer threads since start. */
    public long writerAppends() {
        return partitions.writerAppends();
    }

    /** Clean stop: stops accepting, closes connections, flushes and closes every log with its clean marker. */
    @Override
    public void close() {
        stop(true);
    }

    /**
     * Stops as abruptly as an in-process stop can: connections dropped, no flush, no clean-shutdown marker, so
     * the next start runs recovery. Tests use it to stand in for {@code kill -9}.
     */
    public void halt() {
        stop(false);
    }

    /**
     * Tells the coordinator first, so this broker's partitions go offline (and producers move on) now rather than
     * after heartbeat.timeout.ms; requests meanwhile are still served, or refused as NOT_LEADER once the new cluster
     * view arrives.
     */
    private void announceShutdown() {
        long startNs = System.nanoTime();
        ErrorCode answer = link.announceShutdown(SHUTDOWN_ANNOUNCE_TIMEOUT_MS);
        long ms = (System.nanoTime() - startNs) / 1_000_000;
        if (answer == ErrorCode.NONE) {
            LOG.info("broker {}: coordinator {} took its partitions offline for the shutdown ({} ms)",
                config.brokerId(), config.coordinator(), ms);
        } else if (answer == ErrorCode.STORAGE_ERROR) {
            LOG.warn("broker {}: coordinator {} took its partitions offline for the shutdown but could not store "
                + "that ({} ms); it keeps retrying the write", config.brokerId(), config.coordinator(), ms);
        } else if (answer == ErrorCode.UNKNOWN_BROKER) {
            LOG.info("broker {}: not registered with coordinator {} (refused, or already declared dead): no partition "
                + "to take offline ({} ms)", config.brokerId(), config.coordinator(), ms);
        } else {
            LOG.warn("broker {}: could not tell coordinator {} about the shutdown ({}): its partitions show this "
                    + "broker as leader until heartbeat.timeout.ms passes", config.brokerId(), config.coordinator(),
                answer == null ? "no answer within " + SHUTDOWN_ANNOUNCE_TIMEOUT_MS + " ms or not connected" : answer);
        }
    }

    private synchronized void stop(boolean clean) {
        if (stopped) {
            return;
        }
        stopped = true;
        // A start that failed before binding already said why; stopping it is no news.
        boolean wasUp = address != null;
        if (wasUp) {
            LOG.info("broker {}: stopping ({})", config.brokerId(), clean ? "clean" : "halt");
        }
        if (link != null) {
            if (clean && wasUp) {
                announceShutdown();
            }
            link.close();
        }
        if (serverChannel != null) {
            serverChannel.close().syncUninterruptibly();
        }
        clients.close().awaitUninterruptibly();
        if (partitions != null) {
            partitions.closeLogs(clean);
        }
        if (workerGroup != null) {
            bossGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS);
            workerGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS);
            bossGroup.terminationFuture().syncUninterruptibly();
            workerGroup.terminationFuture().syncUninterruptibly();
        }
        if (wasUp) {
            LOG.info("broker {}: stopped", config.brokerId());
        }
    }
}
