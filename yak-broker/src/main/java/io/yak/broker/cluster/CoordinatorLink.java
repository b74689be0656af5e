package io.yak.broker.cluster;

import io.netty.channel.EventLoopGroup;
import io.yak.broker.partition.IsrChannel;
import io.yak.wire.ErrorCode;
import io.yak.wire.MessageType;
import io.yak.wire.codec.Transport;
import io.yak.wire.config.HostPort;
import io.yak.wire.log.LogText;
import io.yak.wire.message.AlterIsrPartition;
import io.yak.wire.message.AlterIsrRequest;
import io.yak.wire.message.AlterIsrResponse;
import io.yak.wire.message.AlterIsrResult;
import io.yak.wire.message.BrokerInfo;
import io.yak.wire.message.BrokerShutdownRequest;
import io.yak.wire.message.BrokerShutdownResponse;
import io.yak.wire.message.ClusterMetadata;
import io.yak.wire.message.CreateTopicRequest;
import io.yak.wire.message.CreateTopicResponse;
import io.yak.wire.message.BrokerStatsRequest;
import io.yak.wire.message.HeartbeatRequest;
import io.yak.wire.message.PartitionStats;
import io.yak.wire.message.HeartbeatResponse;
import io.yak.wire.message.LeaderInfo;
import io.yak.wire.message.LeaderInfoDelta;
import io.yak.wire.message.Message;
import io.yak.wire.message.MetadataRequest;
import io.yak.wire.message.MetadataResponse;
import io.yak.wire.message.PartitionRef;
import io.yak.wire.message.RegisterBrokerRequest;
import io.yak.wire.message.RegisterBrokerResponse;
import io.yak.wire.net.Connection;
import io.yak.wire.net.ConnectionFailedException;
import io.yak.wire.net.ConnectionListener;
import io.yak.wire.net.NetworkClient;
import io.yak.wire.net.RequestFailedException;
import java.security.SecureRandom;
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
 * right after each registration; one at a time: an interval whose predecessor is unanswered is skipped), each
 * heartbeat listing the partitions the broker cannot serve, passes every
 * cluster view it receives (registration answer, {@code leader_info} pushes, topic creations) to the listener, and
 * reconnects and registers again whenever the connection drops or the coordinator forgets it. A refused
 * registration is retried on the same connection with a growing delay ({@link RefusalBackoff}).
 *
 * <p>A {@code leader_info_delta} push is applied to the newest view delivered and the result delivered as a whole
 * view, so the listener never sees a delta. One that does not apply (a push was missed) makes the link ask for the
 * whole view with a METADATA_REQUEST listing no topics, which means all of them (see {@code WIRE.md}, section
 * "LEADER_INFO_DELTA").
 *
 * <p>Requests travel over the shared request/response client ({@link NetworkClient}), which matches answers by
 * correlation id, times requests out and fails them when the connection drops. The link opens the connection
 * itself, with a registration as the first request of every new channel, and sends anything else only while the
 * channel is open: no other request reopens it behind the reconnect backoff.
 *
 * <p>All state lives on the link's single thread ({@code yak-coordinator-link}), which is the event loop the shared
 * client runs on: the channel, every answer and push, the listener calls and the link's timers run there, so the
 * state needs no locks; the public methods hand over to it.
 */
public final class CoordinatorLink implements AutoCloseable, IsrChannel {
    private static final Logger LOG = LoggerFactory.getLogger(CoordinatorLink.class);
    private static final long MIN_BACKOFF_MS = 100;
    private static final long MAX_BACKOFF_MS = 2000;
    private static final int CONNECT_TIMEOUT_MS = 3000;
    /** Longest wait for any answer of the coordinator; a registration unanswered this long reconnects. */
    static final long REQUEST_TIMEOUT_MS = 30_000;
    /** Longest wait between registrations the coordinator refused; see {@link RefusalBackoff}. */
    static final long MAX_REFUSED_BACKOFF_MS = 5000;
    /** A refusal that goes on is logged again at most this often. */
    static final long REFUSAL_LOG_INTERVAL_MS = 30_000;
    /**
     * Partitions per stats report: with the largest encoding of one (a 249-char topic name of 3-byte chars, 817
     * bytes) a report stays under 1 MiB, far below any coordinator's {@code max.frame.bytes}.
     */
    static final int MAX_STATS_PER_REPORT = 1200;

    private final int brokerId;
    private final HostPort coordinator;
    private final long heartbeatIntervalMs;
    private final long requestTimeoutMs;
    private final Consumer<ClusterMetadata> listener;
    /** The partitions this broker cannot serve, as of now; called on the link's thread for every heartbeat. */
    private final Supplier<List<PartitionRef>> offlinePartitions;
    /** One thread, the link's: the shared client's channel, answers and pushes, and the link's timers. */
    private final EventLoopGroup group;
    private final NetworkClient client;
    private final Connection connection;
    private String advertisedHost;
    private int advertisedPort;
    /** A channel is connected and its close not yet handled ({@link Events#disconnected}). Link thread only. */
    private boolean up;
    /** Counts the channels connected, so a timer set for one does nothing on the next. Link thread only. */
    private int generation;
    private ScheduledFuture<?> heartbeats;
    /** Stats reports ({@link #reportStats}); the source, its period and the schedule. */
    private volatile Supplier<List<PartitionStats>> stats;
    private volatile long statsIntervalMs;
    private ScheduledFuture<?> statsReports;
    /** A stats report is out and not answered yet. Link thread only. */
    private boolean statsInFlight;
    /** Where the next report starts when there are more partitions than one report takes. Link thread only. */
    private int statsFrom;
    private long backoffMs = MIN_BACKOFF_MS;
    private final RefusalBackoff refusals;
    private final LongSupplier clockMs;
    private volatile boolean registered;
    /** Chosen at start: the coordinator tells this process's registrations from those of a restarted one. */
    private final long incarnationId = new SecureRandom().nextLong();
    /** Whether the previous process shut down cleanly, sent with every registration. Link thread only. */
    private boolean previousShutdownClean = true;
    /** The broker epoch of the latest accepted registration, -1 before it. */
    private volatile long brokerEpoch = -1;
    /**
     * A heartbeat is out and not yet answered (or failed): the next interval skips its heartbeat, so a coordinator
     * that stops answering does not pile up requests. Link thread only.
     */
    private boolean heartbeatInFlight;
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
     * A METADATA_REQUEST asking for the whole view after a delta that did not apply is out, so a run of such deltas
     * asks once. Link thread only.
     */
    private boolean wholeViewAsked;

    /**
     * @param listener          receives every cluster view, on the link's thread
     * @param offlinePartitions the partitions this broker cannot serve, sent in full with every heartbeat; called on
     *                          the link's thread, must not block (an empty list when there are none)
     */
    public CoordinatorLink(int brokerId, HostPort coordinator, long heartbeatIntervalMs, int maxFrameBytes,
                           Consumer<ClusterMetadata> listener, Supplier<List<PartitionRef>> offlinePartitions) {
        this(brokerId, coordinator, heartbeatIntervalMs, maxFrameBytes, listener, offlinePartitions,
            new RefusalBackoff(MIN_BACKOFF_MS, MAX_REFUSED_BACKOFF_MS, REFUSAL_LOG_INTERVAL_MS),
            () -> System.nanoTime() / 1_000_000, REQUEST_TIMEOUT_MS);
    }

    /** A link with its own handling of refused registrations, monotonic clock and request timeout (tests). */
    CoordinatorLink(int brokerId, HostPort coordinator, long heartbeatIntervalMs, int maxFrameBytes,
                    Consumer<ClusterMetadata> listener, Supplier<List<PartitionRef>> offlinePartitions,
                    RefusalBackoff refusals, LongSupplier clockMs, long requestTimeoutMs) {
        this.refusals = refusals;
        this.clockMs = clockMs;
        this.brokerId = brokerId;
        this.coordinator = coordinator;
        this.heartbeatIntervalMs = heartbeatIntervalMs;
        this.requestTimeoutMs = requestTimeoutMs;
        this.listener = listener;
        this.offlinePartitions = offlinePartitions;
        Transport transport = Transport.best();
        this.group = transport.newGroup(1, "yak-coordinator-link");
        this.client = NetworkClient.builder("broker-" + brokerId + "-coordinator-link")
            .eventLoopGroup(group, transport)
            .connectTimeoutMs(CONNECT_TIMEOUT_MS)
            .requestTimeoutMs(requestTimeoutMs)
            .maxResponseFrameBytes(maxFrameBytes)
            .build();
        this.connection = client.connection(coordinator);
        connection.listener(new Events());
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
            register();
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
            if (connection.connected()) {
                send(new CreateTopicRequest(topic, partitions), this::onTopicCreated,
                    t -> failed("creating topic " + LogText.safe(topic), t));
            }
        });
    }

    /**
     * Link thread: sends on the open channel, or opens one when there is none. {@code onAnswer} gets the response
     * and {@code onFailure} the failure (timeout, lost connection, {@code ERROR_RESPONSE}), both on the link's
     * thread; the response is released afterwards.
     */
    private void send(Message request, Consumer<Message> onAnswer, Consumer<Throwable> onFailure) {
        MessageType type = request.type();
        connection.send(request, requestTimeoutMs).whenComplete((response, error) -> {
            try {
                if (error != null) {
                    onFailure.accept(error);
                } else {
                    onAnswer.accept(response);
                }
            } catch (RuntimeException e) {
                LOG.error("broker {}: handling the coordinator's answer to {} failed", brokerId, type, e);
            } finally {
                if (response != null) {
                    response.release();
                }
            }
        });
    }

    /** The code of the coordinator's {@code ERROR_RESPONSE}; null when it did not answer (timeout, no connection). */
    private ErrorCode errorAnswer(Throwable t) {
        if (closed || !(t instanceof RequestFailedException e) || t instanceof ConnectionFailedException
                || e.errorCode() == ErrorCode.REQUEST_TIMED_OUT) {
            return null;
        }
        return e.errorCode();
    }

    /** Link thread: logs a request that got no usable answer; a lost connection is logged when it is handled. */
    private void failed(String what, Throwable t) {
        if (errorAnswer(t) != null) {
            LOG.error("broker {}: coordinator answered with an error: {}", brokerId, t.getMessage());
        } else {
            LOG.debug("broker {}: {} got no answer: {}", brokerId, what, LogText.safe(String.valueOf(t)));
        }
    }

    /**
     * Link thread: sends a registration, one at a time. With no channel it opens one ({@link Events#handshake});
     * with one that is closing it leaves the registration to the reconnect that follows.
     */
    private void register() {
        registered = false;
        if (closed || shuttingDown || registrationInFlight || (up && !connection.connected())) {
            return;
        }
        registrationInFlight = true;
        send(new RegisterBrokerRequest(brokerId, advertisedHost, advertisedPort, incarnationId, previousShutdownClean),
            this::onRegistration, this::registrationFailed);
    }

    private void onRegistration(Message m) {
        RegisterBrokerResponse r = (RegisterBrokerResponse) m;
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
            refused(r.error(), r.metadata());
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

    /**
     * Link thread: no channel could be opened (retried after a growing delay), the channel closed (its disconnect
     * reconnects), the coordinator answered with an error (retried like a refusal) or not at all (reconnects).
     */
    private void registrationFailed(Throwable t) {
        registrationInFlight = false;
        ErrorCode error = errorAnswer(t);
        if (shuttingDown) {
            if (shutdownAnswer != null) {
                shutdownAnswer.complete(error);
            }
        } else if (closed) {
            return;
        } else if (t instanceof ConnectionFailedException e) {
            if (!up) {
                retryLater("cannot reach coordinator " + coordinator + ": " + LogText.safe(e.reason()));
            }
        } else if (error != null) {
            LOG.debug("broker {}: coordinator answered the registration with an error: {}", brokerId,
                t.getMessage());
            refused(error, null);
        } else if (connection.connected()) {
            LOG.warn("broker {}: coordinator {} did not answer the registration within {} ms; reconnecting",
                brokerId, coordinator, requestTimeoutMs);
            connection.close();
        }
    }

    private void retryLater(String why) {
        if (closed) {
            return;
        }
        LOG.warn("broker {}: {}; retrying in {} ms", brokerId, why, backoffMs);
        group.schedule(this::register, backoffMs, TimeUnit.MILLISECONDS);
        backoffMs = Math.min(MAX_BACKOFF_MS, backoffMs * 2);
    }

    /** Link thread: asks the coordinator to take this broker's partitions offline; the answer completes it. */
    private void sendShutdown() {
        CompletableFuture<ErrorCode> answer = shutdownAnswer;
        if (!connection.connected()) {
            answer.complete(null);
            return;
        }
        send(new BrokerShutdownRequest(brokerId), m -> answer.complete(((BrokerShutdownResponse) m).error()), t -> {
            failed("the shutdown announcement", t);
            answer.complete(errorAnswer(t));
        });
    }

    private void onHeartbeat(Message m) {
        HeartbeatResponse r = (HeartbeatResponse) m;
        if (r.error() == ErrorCode.NONE && registered) {
            heartbeatAccepted = true;
        }
        // Heartbeats sent before the first such answer get it too: one registration answers them all.
        if (r.error() == ErrorCode.UNKNOWN_BROKER && !shuttingDown && !registrationInFlight) {
            heartbeatAccepted = false;
            LOG.warn("broker {}: coordinator does not know this broker (declared dead?); registering again",
                brokerId);
            register();
        }
    }

    private void onTopicCreated(Message m) {
        CreateTopicResponse r = (CreateTopicResponse) m;
        if (r.error() != ErrorCode.NONE && r.error() != ErrorCode.TOPIC_ALREADY_EXISTS) {
            // the message names the topic a client asked for (issue 19)
            LOG.warn("broker {}: topic creation failed: {} {}", brokerId, r.error(), LogText.safe(r.message()));
        }
        deliver(r.metadata());
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
            wholeViewAsked ? "the whole view is already asked for" : "asking for the whole view");
        if (!wholeViewAsked && connection.connected()) {
            wholeViewAsked = true;
            send(new MetadataRequest(false, List.of()), this::onWholeView, t -> {
                wholeViewAsked = false; // the next delta asks again
                failed("asking for the whole cluster view", t);
            });
        }
    }

    private void onWholeView(Message m) {
        wholeViewAsked = false;
        MetadataResponse r = (MetadataResponse) m;
        if (r.error() == ErrorCode.NONE) {
            deliver(r.metadata());
        } else {
            LOG.debug("broker {}: asked for the whole cluster view, got {}; the next delta asks again", brokerId,
                r.error());
        }
    }

    /**
     * The coordinator refused the registration: try again on the same connection after a growing delay. Never
     * gives up: with BROKER_ID_IN_USE the other broker may be one that died and has not timed out yet (this
     * broker's own previous run, restarted quickly on another port), and the registration goes through once it
     * does.
     *
     * @param metadata the cluster view that came with the refusal, null with an {@code ERROR_RESPONSE}
     */
    private void refused(ErrorCode error, ClusterMetadata metadata) {
        long delayMs = refusals.refused(clockMs.getAsLong());
        if (refusals.logDue()) {
            String again = refusals.refusals() == 1 ? "" : "still (" + refusals.refusals() + " attempts, "
                + refusals.notLoggedBefore() + " not logged since the last message) ";
            if (error == ErrorCode.BROKER_ID_IN_USE) {
                BrokerInfo other = metadata == null ? null : metadata.broker(brokerId);
                LOG.error("broker {}: coordinator {} {}refuses registration as {}:{}: BROKER_ID_IN_USE, another "
                        + "broker with broker.id {} is alive at {}. Stop that broker or give this one another "
                        + "broker.id; retrying with a delay growing to {} ms in case that broker is dead and its "
                        + "registration not yet timed out (logged again at most every {} s)", brokerId, coordinator,
                    again, advertisedHost, advertisedPort, brokerId,
                    other == null ? "an unknown address" : LogText.safe(other.address()), refusals.maxDelayMs(),
                    refusals.logIntervalMs() / 1000);
            } else {
                LOG.error("broker {}: coordinator {} {}refuses registration as {}:{}: {}; retrying with a delay "
                        + "growing to {} ms (logged again at most every {} s)", brokerId, coordinator, again,
                    advertisedHost, advertisedPort, error, refusals.maxDelayMs(), refusals.logIntervalMs() / 1000);
            }
        } else {
            LOG.debug("broker {}: registration refused again ({}), attempt {}; next in {} ms", brokerId, error,
                refusals.refusals(), delayMs);
        }
        int refusedOn = generation;
        group.schedule(() -> {
            // A lost connection reconnects and registers by itself (Events#disconnected).
            if (refusedOn == generation && up && !registered) {
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
        cancelHeartbeats();
        heartbeatInFlight = false; // an answer still due on an old connection fails with it
        int registeredOn = generation;
        heartbeats = group.scheduleAtFixedRate(() -> {
            if (registeredOn == generation && registered && connection.connected() && !heartbeatInFlight) {
                heartbeatInFlight = true;
                send(new HeartbeatRequest(brokerId, offlinePartitions.get()), m -> {
                    heartbeatInFlight = false;
                    onHeartbeat(m);
                }, t -> {
                    heartbeatInFlight = false;
                    failed("a heartbeat", t);
                });
            }
        }, 0, heartbeatIntervalMs, TimeUnit.MILLISECONDS);
        startStatsReports();
    }

    private void cancelHeartbeats() {
        if (heartbeats != null) {
            heartbeats.cancel(false);
        }
        if (statsReports != null) {
            statsReports.cancel(false);
        }
    }

    /**
     * From the next registration on, reports the partitions this broker leads every {@code intervalMs}
     * ({@code BROKER_STATS_REQUEST}, for the coordinator's console and lag figures). {@code stats} is called on the
     * link's thread and must not block. Before {@link #start}.
     */
    public void reportStats(Supplier<List<PartitionStats>> stats, long intervalMs) {
        this.stats = stats;
        this.statsIntervalMs = intervalMs;
    }

    /** Reports go out on the registration's connection, one at a time; a lost one is made good by the next. */
    private void startStatsReports() {
        Supplier<List<PartitionStats>> source = stats;
        if (source == null) {
            return;
        }
        statsInFlight = false;
        int registeredOn = generation;
        statsReports = group.scheduleAtFixedRate(() -> {
            if (registeredOn == generation && registered && connection.connected() && !statsInFlight) {
                List<PartitionStats> all = source.get();
                List<PartitionStats> part = all;
                if (all.size() > MAX_STATS_PER_REPORT) { // in turns, so every partition is reported now and then
                    int from = statsFrom >= all.size() ? 0 : statsFrom;
                    part = all.subList(from, Math.min(all.size(), from + MAX_STATS_PER_REPORT));
                    statsFrom = from + part.size();
                }
                statsInFlight = true;
                send(new BrokerStatsRequest(brokerId, part),
                    m -> statsInFlight = false, t -> {
                        statsInFlight = false;
                        LOG.debug("broker {}: a stats report failed: {}", brokerId, t.toString());
                    });
            }
        }, statsIntervalMs, statsIntervalMs, TimeUnit.MILLISECONDS);
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
                cancelHeartbeats();
                if (!connection.connected()) {
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

    /** Closes the connection (requests in flight fail, ISR proposals get null) and stops the link's thread. */
    @Override
    public void close() {
        closed = true;
        client.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** The broker epoch of this process's latest accepted registration, -1 before the first. */
    @Override
    public long brokerEpoch() {
        return brokerEpoch;
    }

    /**
     * Proposes an ISR change; {@code answer} gets the coordinator's result on the link thread, or null when the
     * request could not be sent, the coordinator answered with an error or not in time, or the connection was lost
     * before the answer.
     */
    @Override
    public void alterIsr(AlterIsrPartition change, Consumer<AlterIsrResult> answer) {
        try {
            group.execute(() -> {
                if (!connection.connected() || !registered || brokerEpoch < 0) {
                    answer.accept(null);
                    return;
                }
                send(new AlterIsrRequest(brokerId, brokerEpoch, List.of(change)), m -> {
                    AlterIsrResponse r = (AlterIsrResponse) m;
                    if (r.error() != ErrorCode.NONE && r.error() != ErrorCode.STORAGE_ERROR) {
                        LOG.warn("broker {}: coordinator refused an isr change: {}", brokerId, r.error());
                    }
                    answer.accept(r.partitions().size() == 1 ? r.partitions().get(0) : null);
                }, t -> {
                    failed("an isr change", t);
                    answer.accept(null);
                });
            });
        } catch (RejectedExecutionException e) {
            answer.accept(null);
        }
    }

    /** What the shared client reports about the coordinator connection, on the link's thread. */
    private final class Events implements ConnectionListener {
        /** A channel opened for a registration, which is its first request: nothing to add before it. */
        @Override
        public Message handshake() {
            up = true;
            generation++;
            backoffMs = MIN_BACKOFF_MS;
            LOG.info("broker {}: connected to coordinator {}; registering as {}:{}", brokerId, coordinator,
                advertisedHost, advertisedPort);
            return null;
        }

        @Override
        public void push(Message message) {
            if (message instanceof LeaderInfo info) {
                deliver(info.metadata());
            } else if (message instanceof LeaderInfoDelta delta) {
                onDelta(delta);
            }
        }

        /** Requests in flight have failed already (ISR proposals got null, the whole-view request is off). */
        @Override
        public void disconnected() {
            up = false;
            registered = false;
            registrationInFlight = false;
            if (shutdownAnswer != null) {
                shutdownAnswer.complete(null);
            }
            cancelHeartbeats();
            if (!closed && !shuttingDown) {
                retryLater("lost the connection to coordinator " + coordinator);
            }
        }
    }
}
