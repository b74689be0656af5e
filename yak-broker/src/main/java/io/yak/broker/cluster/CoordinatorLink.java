package io.yak.broker.cluster;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.DecoderException;
import io.yak.wire.ErrorCode;
import io.yak.wire.codec.FrameDecoder;
import io.yak.wire.codec.FrameEncoder;
import io.yak.wire.codec.Transport;
import io.yak.wire.config.HostPort;
import io.yak.wire.log.LogText;
import io.yak.wire.message.BrokerInfo;
import io.yak.wire.message.BrokerShutdownRequest;
import io.yak.wire.message.BrokerShutdownResponse;
import io.yak.wire.message.ClusterMetadata;
import io.yak.wire.message.CreateTopicRequest;
import io.yak.wire.message.CreateTopicResponse;
import io.yak.wire.message.ErrorResponse;
import io.yak.wire.message.Frame;
import io.yak.wire.message.HeartbeatRequest;
import io.yak.wire.message.HeartbeatResponse;
import io.yak.wire.message.LeaderInfo;
import io.yak.wire.message.LeaderInfoDelta;
import io.yak.wire.message.MetadataRequest;
import io.yak.wire.message.MetadataResponse;
import io.yak.wire.message.PartitionRef;
import io.yak.wire.message.RegisterBrokerRequest;
import io.yak.wire.message.RegisterBrokerResponse;
import io.yak.wire.message.AlterIsrPartition;
import io.yak.wire.message.AlterIsrRequest;
import io.yak.wire.message.AlterIsrResponse;
import io.yak.wire.message.AlterIsrResult;
import io.yak.broker.partition.IsrChannel;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.Map;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker's connection to the coordinator: registers, heartbeats every {@code heartbeat.interval.ms} (and once
 * right after each registration), each heartbeat listing the partitions the broker cannot serve, passes every
 * cluster view it receives (registration answer, {@code leader_info} pushes, topic creations) to the listener, and
 * reconnects and registers again whenever the connection drops or the coordinator forgets it. A refused
 * registration is retried on the same connection with a growing delay ({@link RefusalBackoff}).
 *
 * <p>A {@code leader_info_delta} push is applied to the newest view delivered and the result delivered as a whole
 * view, so the listener never sees a delta. One that does not apply (a push was missed) makes the link ask for the
 * whole view with a METADATA_REQUEST listing no topics, which means all of them (see {@code WIRE.md}, section
 * "LEADER_INFO_DELTA").
 *
 * <p>All state lives on the link's single event-loop thread ({@code yak-coordinator-link}).
 */
public final class CoordinatorLink implements AutoCloseable, IsrChannel {
    private static final Logger LOG = LoggerFactory.getLogger(CoordinatorLink.class);
    private static final long MIN_BACKOFF_MS = 100;
    private static final long MAX_BACKOFF_MS = 2000;
    /** Longest wait between registrations the coordinator refused; see {@link RefusalBackoff}. */
    static final long MAX_REFUSED_BACKOFF_MS = 5000;
    /** A refusal that goes on is logged again at most this often. */
    static final long REFUSAL_LOG_INTERVAL_MS = 30_000;

    private final int brokerId;
    private final HostPort coordinator;
    private final long heartbeatIntervalMs;
    private final Consumer<ClusterMetadata> listener;
    /** The partitions this broker cannot serve, as of now; called on the link's thread for every heartbeat. */
    private final Supplier<List<PartitionRef>> offlinePartitions;
    private final EventLoopGroup group;
    private final Bootstrap bootstrap;
    private String advertisedHost;
    private int advertisedPort;
    private Channel channel;
    private ScheduledFuture<?> heartbeats;
    private long backoffMs = MIN_BACKOFF_MS;
    private final RefusalBackoff refusals;
    private final LongSupplier clockMs;
    private int nextCorrelationId = 1;
    private volatile boolean registered;
    /** Chosen at start: the coordinator tells this process's registrations from those of a restarted one. */
    private final long incarnationId = new SecureRandom().nextLong();
    /** Whether the previous process shut down cleanly, sent with every registration. Link thread only. */
    private boolean previousShutdownClean = true;
    /** The broker epoch of the latest accepted registration, -1 before it. */
    private volatile long brokerEpoch = -1;
    /** ALTER_ISR requests sent and not answered, by correlation id. Link thread only. */
    private final Map<Integer, Consumer<AlterIsrResult>> isrAnswers = new HashMap<>();
    /** A heartbeat since the current registration was answered NONE. */
    private volatile boolean heartbeatAccepted;
    private volatile boolean closed;
    /** Set by {@link #announceShutdown}: no more heartbeats or registrations in this run. Link thread only. */
    private boolean shuttingDown;
    /**
     * The coordinator's answer to the shutdown announcement, while one is awaited (sent, or to be sent once a
     * registration in flight is answered). Link thread only.
     */
    private CompletableFuture<ErrorCode> shutdownAnswer;
    /** A REGISTER_BROKER_REQUEST went out on the current connection and is not answered yet. Link thread only. */
    private boolean registrationInFlight;
    /** The newest cluster view given to the listener, which deltas apply to; null before any. Link thread only. */
    private ClusterMetadata view;
    /**
     * Correlation id of the METADATA_REQUEST asking for the whole view after a delta that did not apply, 0 when none
     * is out, so a run of such deltas asks once. Link thread only.
     */
    private int wholeViewRequest;

    /**
     * @param listener          receives every cluster view, on the link's thread
     * @param offlinePartitions the partitions this broker cannot serve, sent in full with every heartbeat; called on
     *                          the link's thread, must not block (an empty list when there are none)
     */
    public CoordinatorLink(int brokerId, HostPort coordinator, long heartbeatIntervalMs, int maxFrameBytes,
                           Consumer<ClusterMetadata> listener, Supplier<List<PartitionRef>> offlinePartitions) {
        this(brokerId, coordinator, heartbeatIntervalMs, maxFrameBytes, listener, offlinePartitions,
            new RefusalBackoff(MIN_BACKOFF_MS, MAX_REFUSED_BACKOFF_MS, REFUSAL_LOG_INTERVAL_MS),
            () -> System.nanoTime() / 1_000_000);
    }

    /** A link with its own handling of refused registrations (tests: short delays) and monotonic clock. */
    CoordinatorLink(int brokerId, HostPort coordinator, long heartbeatIntervalMs, int maxFrameBytes,
                    Consumer<ClusterMetadata> listener, Supplier<List<PartitionRef>> offlinePartitions,
                    RefusalBackoff refusals, LongSupplier clockMs) {
        this.refusals = refusals;
        this.clockMs = clockMs;
        this.brokerId = brokerId;
        this.coordinator = coordinator;
        this.heartbeatIntervalMs = heartbeatIntervalMs;
        this.listener = listener;
        this.offlinePartitions = offlinePartitions;
        Transport transport = Transport.best();
        this.group = transport.newGroup(1, "yak-coordinator-link");
        this.bootstrap = new Bootstrap().group(group).channel(transport.channel())
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 3000)
            .handler(new ChannelInitializer<SocketChannel>() {
                @Override
                protected void initChannel(SocketChannel ch) {
                    ch.pipeline().addLast(new FrameDecoder(maxFrameBytes), FrameEncoder.INSTANCE, new Handler());
                }
            });
    }

    /** Starts connecting, as a broker whose previous process shut down cleanly (tests). */
    public void start(String host, int port) {
        start(host, port, true);
    }

    /**
     * Starts connecting; registration completes asynchronously and repeats until it succeeds.
     *
     * @param cleanShutdown whether the data.dir says the previous process shut down cleanly (every registration of
     *                      this process says so: the coordinator only acts on it for a new incarnation)
     */
    public void start(String host, int port, boolean cleanShutdown) {
        group.execute(() -> {
            advertisedHost = host;
            advertisedPort = port;
            previousShutdownClean = cleanShutdown;
            connect();
        });
    }

    /**
     * True once the coordinator accepted the registration on the current connection and a heartbeat after it: from
     * then on it places new topics on this broker (a registration alone does not count, issue 19).
     */
    public boolean registered() {
        return registered && heartbeatAccepted;
    }

    /** Asks the coordinator to create a topic; the resulting cluster view reaches the listener. */
    public void createTopic(String topic, int partitions) {
        group.execute(() -> {
            if (channel != null && channel.isActive()) {
                channel.writeAndFlush(Frame.of(nextId(), new CreateTopicRequest(topic, partitions)));
            }
        });
    }

    private int nextId() {
        int id = nextCorrelationId++;
        if (nextCorrelationId == Integer.MAX_VALUE) {
            nextCorrelationId = 1;
        }
        return id;
    }

    private void connect() {
        if (closed) {
            return;
        }
        ChannelFuture f = bootstrap.connect(coordinator.host(), coordinator.port());
        f.addListener(done -> {
            if (done.isSuccess()) {
                channel = f.channel();
                backoffMs = MIN_BACKOFF_MS;
                LOG.info("broker {}: connected to coordinator {}; registering as {}:{}", brokerId, coordinator,
                    advertisedHost, advertisedPort);
                register();
            } else {
                retryLater("cannot reach coordinator " + coordinator + ": "
                    + LogText.safe(done.cause().getMessage()));
            }
        });
    }

    private void retryLater(String why) {
        if (closed) {
            return;
        }
        LOG.warn("broker {}: {}; retrying in {} ms", brokerId, why, backoffMs);
        group.schedule(this::connect, backoffMs, TimeUnit.MILLISECONDS);
        backoffMs = Math.min(MAX_BACKOFF_MS, backoffMs * 2);
    }

    private void register() {
        registered = false;
        if (shuttingDown) {
            return;
        }
        registrationInFlight = true;
        channel.writeAndFlush(Frame.of(nextId(), new RegisterBrokerRequest(brokerId, advertisedHost, advertisedPort,
            incarnationId, previousShutdownClean)));
    }

    /** Link thread: asks the coordinator to take this broker's partitions offline; the answer completes it. */
    private void sendShutdown() {
        channel.writeAndFlush(Frame.of(nextId(), new BrokerShutdownRequest(brokerId)));
    }

    private void onFrame(Frame frame) {
        switch (frame.type()) {
            case REGISTER_BROKER_RESPONSE -> {
                RegisterBrokerResponse r = (RegisterBrokerResponse) frame.message();
                registrationInFlight = false;
                if (shuttingDown) {
                    // stopping while this registration was in flight: no heartbeats, no cluster view; undo it
                    registered = r.error() == ErrorCode.NONE;
                    if (shutdownAnswer != null) {
                        if (registered) {
                            sendShutdown();
                        } else {
                            shutdownAnswer.complete(null);
                        }
                    }
                    return;
                }
                if (r.error() != ErrorCode.NONE) {
                    refused(r);
                    return;
                }
                registered = true;
                heartbeatAccepted = false;
                brokerEpoch = r.brokerEpoch();
                LOG.info("broker {}: registered with coordinator {} at cluster epoch {}{}", brokerId, coordinator,
                    r.metadata().epoch(), refusals.refusals() == 0 ? ""
                        : " after " + refusals.refusals() + " refused attempt(s)");
                refusals.reset();
                deliver(r.metadata());
                startHeartbeats();
            }
            case HEARTBEAT_RESPONSE -> {
                HeartbeatResponse r = (HeartbeatResponse) frame.message();
                if (r.error() == ErrorCode.NONE && registered) {
                    heartbeatAccepted = true;
                }
                if (r.error() == ErrorCode.UNKNOWN_BROKER && !shuttingDown) {
                    heartbeatAccepted = false;
                    LOG.warn("broker {}: coordinator does not know this broker (declared dead?); registering again",
                        brokerId);
                    register();
                }
            }
            case LEADER_INFO -> deliver(((LeaderInfo) frame.message()).metadata());
            case LEADER_INFO_DELTA -> onDelta((LeaderInfoDelta) frame.message());
            case METADATA_RESPONSE -> {
                if (frame.correlationId() == wholeViewRequest) {
                    wholeViewRequest = 0;
                    MetadataResponse r = (MetadataResponse) frame.message();
                    if (r.error() == ErrorCode.NONE) {
                        deliver(r.metadata());
                    } else {
                        LOG.debug("broker {}: asked for the whole cluster view, got {}; the next delta asks again",
                            brokerId, r.error());
                    }
                }
            }
            case CREATE_TOPIC_RESPONSE -> {
                CreateTopicResponse r = (CreateTopicResponse) frame.message();
                if (r.error() != ErrorCode.NONE && r.error() != ErrorCode.TOPIC_ALREADY_EXISTS) {
                    // the message names the topic a client asked for (issue 19)
                    LOG.warn("broker {}: topic creation failed: {} {}", brokerId, r.error(), LogText.safe(r.message()));
                }
                deliver(r.metadata());
            }
            case ALTER_ISR_RESPONSE -> {
                Consumer<AlterIsrResult> answer = isrAnswers.remove(frame.correlationId());
                if (answer != null) {
                    AlterIsrResponse r = (AlterIsrResponse) frame.message();
                    if (r.error() != ErrorCode.NONE && r.error() != ErrorCode.STORAGE_ERROR) {
                        LOG.warn("broker {}: coordinator refused an isr change: {}", brokerId, r.error());
                    }
                    answer.accept(r.partitions().size() == 1 ? r.partitions().get(0) : null);
                }
            }
            case BROKER_SHUTDOWN_RESPONSE -> {
                if (shutdownAnswer != null) {
                    shutdownAnswer.complete(((BrokerShutdownResponse) frame.message()).error());
                }
            }
            case ERROR_RESPONSE -> {
                LOG.error("broker {}: coordinator answered with an error: {}", brokerId,
                    LogText.safe(((ErrorResponse) frame.message()).message()));
                if (shutdownAnswer != null) {
                    shutdownAnswer.complete(((ErrorResponse) frame.message()).error());
                }
            }
            default -> LOG.warn("broker {}: unexpected {} from the coordinator", brokerId, frame.type());
        }
    }

    /** Link thread: hands a whole cluster view to the listener and keeps it for deltas when it is the newest. */
    private void deliver(ClusterMetadata metadata) {
        if (view == null || metadata.epoch() >= view.epoch()) {
            view = metadata;
        }
        listener.accept(metadata);
    }

    /**
     * Link thread: a delta older than the view is stale; one based on it is delivered as the next whole view; any
     * other (a push was missed, or it changes a partition the view lacks) is dropped and the whole view asked for.
     */
    private void onDelta(LeaderInfoDelta delta) {
        if (view != null && delta.epoch() <= view.epoch()) {
            LOG.debug("broker {}: ignoring the stale cluster delta {} -> {}, the view is at epoch {}", brokerId,
                delta.baseEpoch(), delta.epoch(), view.epoch());
            return;
        }
        ClusterMetadata next = view == null ? null : view.apply(delta);
        if (next != null) {
            deliver(next);
            return;
        }
        LOG.debug("broker {}: cluster delta {} -> {} does not apply to the view at epoch {}; {}", brokerId,
            delta.baseEpoch(), delta.epoch(), view == null ? "(none)" : view.epoch(),
            wholeViewRequest != 0 ? "the whole view is already asked for" : "asking for the whole view");
        if (wholeViewRequest == 0 && channel != null && channel.isActive()) {
            wholeViewRequest = nextId();
            channel.writeAndFlush(Frame.of(wholeViewRequest, new MetadataRequest(false, List.of())));
        }
    }

    /**
     * The coordinator refused the registration: try again on the same connection after a growing delay. Never
     * gives up: with BROKER_ID_IN_USE the other broker may be one that died and has not timed out yet (this
     * broker's own previous run, restarted quickly on another port), and the registration goes through once it
     * does.
     */
    private void refused(RegisterBrokerResponse r) {
        long delayMs = refusals.refused(clockMs.getAsLong());
        if (refusals.logDue()) {
            String again = refusals.refusals() == 1 ? "" : "still (" + refusals.refusals() + " attempts, "
                + refusals.notLoggedBefore() + " not logged since the last message) ";
            if (r.error() == ErrorCode.BROKER_ID_IN_USE) {
                BrokerInfo other = r.metadata().broker(brokerId);
                LOG.error("broker {}: coordinator {} {}refuses registration as {}:{}: BROKER_ID_IN_USE, another "
                        + "broker with broker.id {} is alive at {}. Stop that broker or give this one another "
                        + "broker.id; retrying with a delay growing to {} ms in case that broker is dead and its "
                        + "registration not yet timed out (logged again at most every {} s)", brokerId, coordinator, again, advertisedHost,
                    advertisedPort, brokerId, other == null ? "an unknown address" : LogText.safe(other.address()),
                    refusals.maxDelayMs(), refusals.logIntervalMs() / 1000);
            } else {
                LOG.error("broker {}: coordinator {} {}refuses registration as {}:{}: {}; retrying with a delay growing "
                        + "to {} ms (logged again at most every {} s)", brokerId, coordinator, again, advertisedHost,
                    advertisedPort, r.error(), refusals.maxDelayMs(), refusals.logIntervalMs() / 1000);
            }
        } else {
            LOG.debug("broker {}: registration refused again ({}), attempt {}; next in {} ms", brokerId, r.error(),
                refusals.refusals(), delayMs);
        }
        Channel ch = channel;
        group.schedule(() -> {
            // A lost connection reconnects and registers by itself (channelInactive).
            if (!closed && ch == channel && ch.isActive() && !registered) {
                register();
            }
        }, delayMs, TimeUnit.MILLISECONDS);
    }

    /**
     * The first heartbeat goes out at once: after a coordinator restart, or a return after being declared dead, the
     * registration made this broker the leader of every partition assigned to it, and the coordinator learns
     * without waiting an interval which of them it still cannot serve.
     */
    private void startHeartbeats() {
        if (heartbeats != null) {
            heartbeats.cancel(false);
        }
        Channel ch = channel;
        heartbeats = group.scheduleAtFixedRate(() -> {
            if (ch.isActive() && registered) {
                ch.writeAndFlush(Frame.of(nextId(), new HeartbeatRequest(brokerId, offlinePartitions.get())));
            }
        }, 0, heartbeatIntervalMs, TimeUnit.MILLISECONDS);
    }

    /**
     * A clean stop, before {@link #close()}: stops heartbeating and registering, and tells the coordinator that this
     * broker is shutting down ({@code BROKER_SHUTDOWN_REQUEST}), so its partitions go offline now instead of after
     * {@code heartbeat.timeout.ms} (Kafka's controlled shutdown). Waits at most {@code timeoutMs} for the answer; not
     * on the link's thread.
     *
     * <p>A registration still unanswered is awaited first (within the same time): the coordinator may accept it
     * and make this broker a leader again, so the announcement follows it.
     *
     * @return the coordinator's answer; UNKNOWN_BROKER without asking when connected but not registered (refused);
     *     null when it could not be asked (no connection) or did not answer in time: the heartbeat timeout then
     *     applies
     */
    public ErrorCode announceShutdown(long timeoutMs) {
        CompletableFuture<ErrorCode> answer = new CompletableFuture<>();
        try {
            group.execute(() -> {
                shuttingDown = true;
                if (heartbeats != null) {
                    heartbeats.cancel(false);
                }
                Channel ch = channel;
                if (ch == null || !ch.isActive()) {
                    answer.complete(null);
                } else if (registered) {
                    shutdownAnswer = answer;
                    sendShutdown();
                } else if (registrationInFlight) {
                    shutdownAnswer = answer; // announced once the coordinator answers the registration
                } else {
                    answer.complete(ErrorCode.UNKNOWN_BROKER); // connected, but refused: it leads nothing
                }
            });
            return answer.get(timeoutMs, TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException | RejectedExecutionException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** Tests: whether an announced shutdown waits for the answer to a registration (asked on the link's thread). */
    boolean shutdownAwaitsRegistration() {
        try {
            return group.submit(() -> shutdownAnswer != null && registrationInFlight).get(5, TimeUnit.SECONDS);
        } catch (InterruptedException | ExecutionException | TimeoutException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        closed = true;
        group.execute(() -> {
            if (heartbeats != null) {
                heartbeats.cancel(false);
            }
            if (channel != null) {
                channel.close();
            }
        });
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** The broker epoch of this process's latest accepted registration, -1 before the first. */
    @Override
    public long brokerEpoch() {
        return brokerEpoch;
    }

    /**
     * Proposes an ISR change; {@code answer} gets the coordinator's result on the link thread, or null when the
     * request could not be sent or the connection was lost before the answer.
     */
    @Override
    public void alterIsr(AlterIsrPartition change, Consumer<AlterIsrResult> answer) {
        try {
            group.execute(() -> {
                if (channel == null || !channel.isActive() || !registered || brokerEpoch < 0) {
                    answer.accept(null);
                    return;
                }
                int id = nextId();
                isrAnswers.put(id, answer);
                channel.writeAndFlush(Frame.of(id, new AlterIsrRequest(brokerId, brokerEpoch, List.of(change))));
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            answer.accept(null);
        }
    }

    private void failIsrAnswers() {
        if (isrAnswers.isEmpty()) {
            return;
        }
        List<Consumer<AlterIsrResult>> pending = List.copyOf(isrAnswers.values());
        isrAnswers.clear();
        for (Consumer<AlterIsrResult> a : pending) {
            a.accept(null);
        }
    }

    private final class Handler extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            Frame frame = (Frame) msg;
            try {
                onFrame(frame);
            } finally {
                frame.release();
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            registered = false;
            failIsrAnswers();
            registrationInFlight = false;
            wholeViewRequest = 0; // its answer is lost; the next registration delivers a whole view anyway
            if (shutdownAnswer != null) {
                shutdownAnswer.complete(null);
            }
            if (heartbeats != null) {
                heartbeats.cancel(false);
            }
            if (!closed && !shuttingDown) {
                retryLater("lost the connection to coordinator " + coordinator);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            Throwable t = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
            LOG.warn("broker {}: coordinator connection failed: {}", brokerId, LogText.safe(t.toString()));
            ctx.close();
        }
    }
}
