package io.yak.coordinator;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.yak.coordinator.cluster.ClusterState;
import io.yak.coordinator.console.BrokerReports;
import io.yak.coordinator.console.ConsoleApi;
import io.yak.coordinator.console.ConsoleRoutes;
import io.yak.coordinator.group.GroupCoordinator;
import io.yak.coordinator.net.Broadcaster;
import io.yak.coordinator.net.CoordinatorChannelInitializer;
import io.yak.coordinator.net.GroupAdminRequests;
import io.yak.coordinator.net.RequestProcessor;
import io.yak.coordinator.store.CorruptStateException;
import io.yak.coordinator.store.CoordinatorSnapshot;
import io.yak.coordinator.store.StateStore;
import io.yak.coordinator.store.StoreWriter;
import io.yak.http.HttpRoutes;
import io.yak.wire.codec.Transport;
import io.yak.wire.config.IoReasons;
import io.yak.wire.codec.RequestMemoryPool;
import io.yak.wire.codec.ServerChannels;
import io.yak.wire.codec.WireErrorHandler;
import io.yak.wire.log.RejectReason;
import io.yak.wire.log.RejectionLog;
import io.yak.wire.message.BrokerInfo;
import io.yak.wire.message.ClusterMetadata;
import io.yak.wire.message.TopicInfo;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The coordinator: binds the listen address, loads the persisted state from data.dir, serves registration,
 * heartbeats, topic creation, metadata, ISR changes, offsets and consumer groups, declares silent brokers dead, moves
 * leadership back to preferred replicas, and pushes LEADER_INFO after every change.
 *
 * <p>Threads: Netty event loops ({@code yak-coordinator-accept}, {@code yak-coordinator-io-*}) only decode and
 * write; every request is applied on the single state thread ({@value RequestProcessor#STATE_THREAD_NAME}), which
 * also runs the liveness check every {@link CoordinatorConfig#livenessCheckIntervalMs()}, the consumer groups' tick
 * every {@value #GROUP_TICK_INTERVAL_MS} ms and the preferred leader election every
 * {@code leader.imbalance.check.interval.ms}; the state file is written
 * on the store thread ({@value StoreWriter#THREAD_NAME}). {@link #start()} and {@link #close()} block and must not
 * be called from any of those threads; {@link #address()} and {@link #metadata()} may be called from any thread.
 */
public final class CoordinatorServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CoordinatorServer.class);
    private static final long CLOSE_TIMEOUT_MS = 10_000;
    private static final int IO_THREADS = 2;
    /**
     * How often the consumer groups expire silent members and finish rebalances whose time is up: fine enough for
     * session timeouts of seconds and the initial rebalance delay.
     */
    static final long GROUP_TICK_INTERVAL_MS = 20;

    private final CoordinatorConfig config;
    private final Clock clock;
    private final MeterRegistry registry;
    /** Whether {@link #registry} is this server's own, closed with it (not the process's shared one). */
    private final boolean ownsRegistry;
    private final ServerChannels server;

    private boolean started;
    private volatile boolean closed;
    private StateStore store;
    private StoreWriter writer;
    private volatile ClusterState state;
    private ScheduledExecutorService stateExecutor;
    private RequestProcessor processor;
    private ScheduledFuture<?> ticker;
    private ScheduledFuture<?> preferredTicker;
    private ScheduledFuture<?> groupTicker;
    private ScheduledFuture<?> sampleTicker;
    /** What brokers report of their partitions, for the console; state thread. */
    private final BrokerReports reports = new BrokerReports();
    private ConsoleApi console;
    /** Each group's lag per partition, updated at every sample; state thread. */
    private GroupLagMeters lag;
    /**
     * {@link System#nanoTime()} of the last liveness check; state thread only. Real time, not {@link #clock}: a pause
     * is one of this process, and a test's manual clock jumping ahead is not one.
     */
    private long lastTickNs;
    private EventLoopGroup acceptGroup;
    private EventLoopGroup ioGroup;
    private ChannelGroup allChannels;
    private Channel serverChannel;
    private volatile InetSocketAddress address;

    /** A coordinator that measures heartbeat timeouts on a monotonic clock. */
    public CoordinatorServer(CoordinatorConfig config) {
        this(config, MonotonicClock.INSTANCE);
    }

    /**
     * A coordinator on an injected clock (tests). Only {@link Clock#millis()} is used, as a monotonic count of
     * milliseconds for heartbeats and the liveness check.
     */
    public CoordinatorServer(CoordinatorConfig config, Clock clock) {
        this(config, clock, new SimpleMeterRegistry(), true);
    }

    /** A coordinator that registers its meters in {@code registry} (the process's, exposed on its HTTP port). */
    public CoordinatorServer(CoordinatorConfig config, MeterRegistry registry) {
        this(config, MonotonicClock.INSTANCE, registry, false);
    }

    private CoordinatorServer(CoordinatorConfig config, Clock clock, MeterRegistry registry, boolean ownsRegistry) {
        this.config = config;
        this.clock = clock;
        this.registry = registry;
        this.ownsRegistry = ownsRegistry;
        this.server = new ServerChannels("coordinator", config.limits());
    }

    /** Adds the web console and its JSON API ({@code METRICS.md}) to {@code routes}; after {@link #start}. */
    public HttpRoutes consoleRoutes(HttpRoutes routes) {
        if (console == null) {
            throw new IllegalStateException("coordinator not started");
        }
        return ConsoleRoutes.add(routes, console, stateExecutor);
    }

    /** Closes a sample of the topics' rates for the console's charts and updates the groups' lag; state thread. */
    private void sampleTick() {
        try {
            ClusterState s = state;
            ClusterMetadata view = s.metadata();
            Set<String> topics = new HashSet<>();
            for (TopicInfo t : view.topics()) {
                topics.add(t.name());
            }
            for (BrokerInfo b : view.brokers()) {
                if (!b.alive()) {
                    reports.forget(b.id()); // its leaderships moved: its figures are no one's now
                }
            }
            reports.expire(clock.millis(), BrokerReports.REPORT_MAX_AGE_MS);
            reports.sample(System.currentTimeMillis(), topics);
            lag.update(s, reports);
        } catch (RuntimeException e) {
            LOG.error("console sample failed", e);
        }
    }

    /** Why the coordinator is not ready to serve (for {@code /health}); empty while it serves. */
    public List<String> notReadyReasons() {
        if (closed) {
            return List.of("coordinator is closed");
        }
        if (address == null) {
            return List.of("coordinator is starting (loading its state)");
        }
        return List.of();
    }

    public CoordinatorConfig config() {
        return config;
    }

    /**
     * Loads the state from data.dir and binds the listen address; returns once the server accepts connections.
     *
     * @throws UncheckedIOException  when data.dir cannot be used (locked, unreadable, corrupt state file: the cause
     *                               is then a {@link CorruptStateException}) or the address cannot be bound
     * @throws IllegalStateException when called twice or after {@link #close()}
     */
    public synchronized void start() {
        if (started || closed) {
            throw new IllegalStateException(closed ? "coordinator is closed" : "coordinator already started");
        }
        started = true;
        try {
            ClusterState loaded = loadState();
            state = loaded;
            // what restoring changed (dead leaders moved, ...) is written now; from here on, change records
            CoordinatorSnapshot current = loaded.snapshot();
            try {
                store.compact(current);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot use data.dir " + config.dataDir().toAbsolutePath() + ": "
                    + IoReasons.reason(e, config.dataDir()), e);
            }
            loaded.recordChanges();
            writer = new StoreWriter(store, current);
            stateExecutor = newStateExecutor();
            Broadcaster broadcaster = new Broadcaster();
            GroupCoordinator groups = new GroupCoordinator(config.groups());
            processor = new RequestProcessor(loaded, groups, writer, broadcaster, clock, stateExecutor, registry,
                server.rejections(), reports);
            console = new ConsoleApi(loaded, new GroupAdminRequests(groups, loaded), reports, clock::millis);
            registerMetrics(broadcaster);
            CoordinatorMeters.register(registry, this::metadata, loaded.leadershipCounts(), groups);
            lag = new GroupLagMeters(registry);
            bind(broadcaster);
            long interval = config.livenessCheckIntervalMs();
            ticker = stateExecutor.scheduleWithFixedDelay(this::tick, interval, interval, TimeUnit.MILLISECONDS);
            groupTicker = stateExecutor.scheduleWithFixedDelay(this::groupTick, GROUP_TICK_INTERVAL_MS,
                GROUP_TICK_INTERVAL_MS, TimeUnit.MILLISECONDS);
            sampleTicker = stateExecutor.scheduleWithFixedDelay(this::sampleTick, BrokerReports.SAMPLE_INTERVAL_MS,
                BrokerReports.SAMPLE_INTERVAL_MS, TimeUnit.MILLISECONDS);
            if (config.replication().autoLeaderRebalanceEnable()) {
                long every = config.replication().leaderImbalanceCheckIntervalMs();
                preferredTicker = stateExecutor.scheduleWithFixedDelay(this::preferredTick, every, every,
                    TimeUnit.MILLISECONDS);
            }
            LOG.info("YaK coordinator listening on {} ({}); data.dir {}, heartbeat.timeout.ms {} (checked every {} ms),"
                    + " num.partitions {}, auto.create.topics {}, max.frame.bytes {}, {}, broker.ids {},"
                    + " dead.broker.forget.ms {}, {}, {}; cluster epoch {}, {} brokers, {} topics", address,
                Transport.best(), config.dataDir().toAbsolutePath(), config.heartbeatTimeoutMs(), interval,
                config.numPartitions(), config.autoCreateTopics(), config.maxFrameBytes(), config.limits().describe(),
                config.brokerIds(), config.deadBrokerForgetMs(), config.replication().describe(),
                config.groups().describe(), loaded.epoch(), loaded.metadata().brokers().size(),
                loaded.metadata().topics().size());
            if (config.brokerIds().isAny()) {
                LOG.warn("broker.ids is not set: any host that reaches {} can register a broker with any id and "
                    + "receive partitions; set broker.ids to the ids of this cluster's brokers (e.g. 1-3)", address);
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    private ClusterState loadState() {
        Optional<CoordinatorSnapshot> snapshot;
        try {
            store = StateStore.open(config.dataDir());
            snapshot = store.load();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot use data.dir " + config.dataDir().toAbsolutePath() + ": "
                + IoReasons.reason(e, config.dataDir()), e);
        }
        if (snapshot.isEmpty()) {
            LOG.info("no state file {}: starting a new cluster", store.file());
            return new ClusterState(config.heartbeatTimeoutMs(), config.numPartitions(), config.autoCreateTopics(),
                config.brokerIds(), config.deadBrokerForgetMs(), config.replication());
        }
        CoordinatorSnapshot s = snapshot.get();
        LOG.info("loaded {}: epoch {}, {} broker(s) ({} alive until heartbeat.timeout.ms passes without them "
                + "registering again), {} topic(s) with their leaders kept, {} committed offset(s) of {} consumer "
                + "group(s)", store.file(), s.epoch(), s.brokers().size(),
            s.brokers().stream().filter(CoordinatorSnapshot.Broker::alive).count(), s.topics().size(),
            s.offsets().size(), s.offsets().stream().map(CoordinatorSnapshot.CommittedOffset::group).distinct().count());
        try {
            return ClusterState.restore(config.heartbeatTimeoutMs(), config.numPartitions(),
                config.autoCreateTopics(), config.brokerIds(), config.deadBrokerForgetMs(), config.replication(), s,
                clock.millis());
        } catch (IllegalStateException e) {
            CorruptStateException c = new CorruptStateException("corrupt coordinator state file " + store.file()
                + ": " + e.getMessage());
            throw new UncheckedIOException(c.getMessage(), c);
        }
    }

    private static ScheduledExecutorService newStateExecutor() {
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, RequestProcessor.STATE_THREAD_NAME);
            t.setDaemon(true);
            return t;
        });
        executor.setRemoveOnCancelPolicy(true);
        return executor;
    }

    private void bind(Broadcaster broadcaster) {
        Transport transport = Transport.best();
        acceptGroup = transport.newGroup(1, "yak-coordinator-accept");
        ioGroup = transport.newGroup(IO_THREADS, "yak-coordinator-io");
        allChannels = new DefaultChannelGroup("yak-coordinator", GlobalEventExecutor.INSTANCE);
        ServerBootstrap bootstrap = new ServerBootstrap()
            .group(acceptGroup, ioGroup)
            .channel(transport.serverChannel())
            .option(ChannelOption.SO_REUSEADDR, true)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childHandler(new CoordinatorChannelInitializer(server, processor, broadcaster, allChannels));
        ChannelFuture bound = bootstrap.bind(config.listen().host(), config.listen().port()).awaitUninterruptibly();
        if (!bound.isSuccess()) {
            Throwable cause = bound.cause();
            String message = "cannot listen on " + config.listen() + ": " + IoReasons.reason(cause);
            // An unresolvable host fails with an unchecked exception: still an operating error, not a bug.
            throw new UncheckedIOException(message, cause instanceof IOException io ? io : new IOException(cause));
        }
        serverChannel = bound.channel();
        address = (InetSocketAddress) serverChannel.localAddress();
        Gauge.builder("yak.connections", allChannels, ChannelGroup::size).tag("server", "coordinator")
            .description("open connections of clients and peers").register(registry);
        long flushMs = server.rejections().intervalMs();
        ioGroup.next().scheduleAtFixedRate(server.rejections()::flush, flushMs, flushMs, TimeUnit.MILLISECONDS);
    }

    private void registerMetrics(Broadcaster broadcaster) {
        FunctionCounter.builder("yak.coordinator.bad.frames", server.errorHandler(), WireErrorHandler::badFrames)
            .description("connections closed for breaking the wire rules").register(registry);
        for (RejectReason reason : RejectReason.values()) {
            FunctionCounter.builder("yak.rejected", server.rejections(), r -> r.count(reason))
                .tag("server", "coordinator").tag("reason", reason.tag())
                .description("requests refused and connections closed, by reason").register(registry);
        }
        FunctionCounter.builder("yak.request.memory.pauses", server.memory(), RequestMemoryPool::pauses)
            .tag("server", "coordinator").description("times a connection stopped reading for lack of request memory")
            .register(registry);
        Gauge.builder("yak.request.memory.available", server.memory(), RequestMemoryPool::availableBytes)
            .tag("server", "coordinator").baseUnit("bytes").register(registry);
        FunctionCounter.builder("yak.coordinator.leader.info.pushes", broadcaster, Broadcaster::pushes)
            .register(registry);
        FunctionCounter.builder("yak.coordinator.store.writes", writer, StoreWriter::writes).register(registry);
        FunctionCounter.builder("yak.coordinator.store.compactions", writer, StoreWriter::compactions)
            .register(registry);
        FunctionCounter.builder("yak.coordinator.leader.info.deltas", broadcaster, Broadcaster::deltas)
            .register(registry);
        FunctionCounter.builder("yak.coordinator.store.failures", writer, StoreWriter::failures).register(registry);
        Gauge.builder("yak.coordinator.registered.connections", broadcaster, Broadcaster::size).register(registry);
        Gauge.builder("yak.coordinator.epoch", this, s -> s.metadata().epoch()).register(registry);
    }

    /**
     * The liveness check, every {@code livenessCheckIntervalMs} on the state thread. When the coordinator itself was
     * not running for much longer than that (a long GC pause, a stopped process, a suspended VM), the brokers'
     * heartbeats of that time still sit unread in their sockets: their silence was not witnessed, so instead of
     * declaring every broker dead this round forgives it ({@link ClusterState#forgiveSilence}).
     */
    private void tick() {
        long nowNs = System.nanoTime();
        long gapMs = lastTickNs == 0 ? 0 : (nowNs - lastTickNs) / 1_000_000;
        lastTickNs = nowNs;
        try {
            if (pausedTooLong(gapMs, config.livenessCheckIntervalMs(), config.heartbeatTimeoutMs())) {
                LOG.warn("coordinator did not run for {} ms (liveness checked every {} ms): not declaring brokers "
                        + "dead for silence it did not witness; they have {} ms from now to be heard from", gapMs,
                    config.livenessCheckIntervalMs(), config.heartbeatTimeoutMs() / 2);
                processor.forgiveSilence();
            } else {
                processor.checkLiveness();
            }
        } catch (RuntimeException e) {
            LOG.error("liveness check failed", e);
        }
    }

    /** Preferred leader election, every {@code leader.imbalance.check.interval.ms} on the state thread. */
    private void preferredTick() {
        try {
            processor.electPreferredLeaders();
        } catch (RuntimeException e) {
            LOG.error("preferred leader election failed", e);
        }
    }

    /** The consumer groups' tick, every {@value #GROUP_TICK_INTERVAL_MS} ms on the state thread. */
    private void groupTick() {
        try {
            processor.tickGroups();
        } catch (RuntimeException e) {
            LOG.error("consumer group tick failed", e);
        }
    }

    /** Whether the time since the last liveness check shows the coordinator was paused (see {@link #tick()}). */
    static boolean pausedTooLong(long gapMs, long checkIntervalMs, long heartbeatTimeoutMs) {
        return gapMs > Math.max(3 * checkIntervalMs, heartbeatTimeoutMs / 2);
    }

    /** The bound address: the actual port when the listen port is 0. */
    public InetSocketAddress address() {
        InetSocketAddress a = address;
        if (a == null) {
            throw new IllegalStateException("coordinator not started");
        }
        return a;
    }

    /** The current cluster metadata, an immutable snapshot. Thread-safe. */
    public ClusterMetadata metadata() {
        ClusterState s = state;
        if (s == null) {
            throw new IllegalStateException("coordinator not started");
        }
        return s.metadata();
    }

    /** Counters and gauges: requests by type, bad frames, LEADER_INFO pushes, store writes, epoch. */
    public MeterRegistry meterRegistry() {
        return registry;
    }

    /** What this coordinator refused, counted by reason; its log lines are rate-limited per host and reason. */
    public RejectionLog rejections() {
        return server.rejections();
    }

    /**
     * Runs the liveness check now, on the state thread, with the injected clock's current time, and waits for it:
     * deterministic in tests with a manual clock. A resulting LEADER_INFO broadcast is sent after the change is
     * persisted, possibly after this returns.
     *
     * @return whether a broker was declared dead
     */
    public boolean checkLiveness() {
        ScheduledExecutorService executor;
        synchronized (this) {
            if (!started || closed) {
                throw new IllegalStateException("coordinator not running");
            }
            executor = stateExecutor;
        }
        try {
            return executor.submit(processor::checkLiveness).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while checking liveness", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("liveness check failed", e.getCause());
        }
    }

    /**
     * Stops accepting, closes every connection, finishes queued requests and state writes, stops every thread and
     * releases data.dir. Idempotent; waits up to about 10 s per stage.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (ticker != null) {
            ticker.cancel(false);
        }
        if (preferredTicker != null) {
            preferredTicker.cancel(false);
        }
        if (sampleTicker != null) {
            sampleTicker.cancel(false);
        }
        if (groupTicker != null) {
            groupTicker.cancel(false);
        }
        if (serverChannel != null) {
            serverChannel.close().awaitUninterruptibly(CLOSE_TIMEOUT_MS);
        }
        if (allChannels != null) {
            allChannels.close().awaitUninterruptibly(CLOSE_TIMEOUT_MS);
        }
        if (stateExecutor != null) {
            stateExecutor.shutdown();
            awaitTermination(stateExecutor);
        }
        if (writer != null) {
            writer.close();
        }
        shutdownGroup(ioGroup);
        shutdownGroup(acceptGroup);
        if (store != null) {
            try {
                store.close();
            } catch (IOException e) {
                LOG.warn("cannot release the lock of data.dir {}: {}", config.dataDir(), e.toString());
            }
        }
        if (ownsRegistry) {
            registry.close();
        }
        if (address != null) {
            LOG.info("YaK coordinator {} closed", address);
        } else {
            // A start that failed before binding already said why.
            LOG.debug("YaK coordinator {} closed before it listened", config.listen());
        }
    }

    private static void awaitTermination(ScheduledExecutorService executor) {
        try {
            if (!executor.awaitTermination(CLOSE_TIMEOUT_MS, TimeUnit.MILLISECONDS)) {
                LOG.error("state thread did not finish within {} ms", CLOSE_TIMEOUT_MS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            LOG.warn("interrupted while waiting for the state thread");
        }
    }

    private static void shutdownGroup(EventLoopGroup group) {
        if (group != null) {
            group.shutdownGracefully(0, CLOSE_TIMEOUT_MS, TimeUnit.MILLISECONDS)
                .awaitUninterruptibly(CLOSE_TIMEOUT_MS + 1000);
        }
    }
}
