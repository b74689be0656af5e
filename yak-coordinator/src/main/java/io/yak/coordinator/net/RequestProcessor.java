package io.yak.coordinator.net;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.yak.coordinator.cluster.AlterIsrOutcome;
import io.yak.coordinator.cluster.ClusterState;
import io.yak.coordinator.cluster.FetchedOffset;
import io.yak.coordinator.cluster.HeartbeatResult;
import io.yak.coordinator.cluster.RegisterResult;
import io.yak.coordinator.cluster.TopicCreation;
import io.yak.coordinator.cluster.TopicLookup;
import io.yak.coordinator.console.BrokerReports;
import io.yak.coordinator.group.GroupCoordinator;
import io.yak.coordinator.store.StoreWriter;
import io.yak.wire.ErrorCode;
import io.yak.wire.MessageType;
import io.yak.wire.config.TopicConfigs;
import io.yak.wire.log.LogText;
import io.yak.wire.log.RejectReason;
import io.yak.wire.log.RejectionLog;
import io.yak.wire.message.AlterIsrRequest;
import io.yak.wire.message.AlterIsrResponse;
import io.yak.wire.message.BrokerShutdownRequest;
import io.yak.wire.message.BrokerStatsRequest;
import io.yak.wire.message.BrokerStatsResponse;
import io.yak.wire.message.BrokerShutdownResponse;
import io.yak.wire.message.ClusterMetadata;
import io.yak.wire.message.CommitOffsetRequest;
import io.yak.wire.message.CommitOffsetResponse;
import io.yak.wire.message.CreateTopicRequest;
import io.yak.wire.message.CreateTopicResponse;
import io.yak.wire.message.AlterTopicConfigsRequest;
import io.yak.wire.message.AlterTopicConfigsResponse;
import io.yak.wire.message.CreatePartitionsRequest;
import io.yak.wire.message.CreatePartitionsResponse;
import io.yak.wire.message.DeleteGroupRequest;
import io.yak.wire.message.DeleteGroupResponse;
import io.yak.wire.message.DeleteTopicRequest;
import io.yak.wire.message.DeleteTopicResponse;
import io.yak.wire.message.DescribeGroupRequest;
import io.yak.wire.message.ListGroupsRequest;
import io.yak.wire.message.ErrorResponse;
import io.yak.wire.message.FetchOffsetRequest;
import io.yak.wire.message.FetchOffsetResponse;
import io.yak.wire.message.Frame;
import io.yak.wire.message.GroupHeartbeatRequest;
import io.yak.wire.message.HeartbeatRequest;
import io.yak.wire.message.HeartbeatResponse;
import io.yak.wire.message.JoinGroupRequest;
import io.yak.wire.message.LeaveGroupRequest;
import io.yak.wire.message.Message;
import io.yak.wire.message.MetadataRequest;
import io.yak.wire.message.MetadataResponse;
import io.yak.wire.message.RegisterBrokerRequest;
import io.yak.wire.message.RegisterBrokerResponse;
import io.yak.wire.message.RegisterConsumerRequest;
import io.yak.wire.message.RegisterConsumerResponse;
import io.yak.wire.message.RegisterProducerRequest;
import io.yak.wire.message.RegisterProducerResponse;
import io.yak.wire.message.SyncGroupRequest;
import java.time.Clock;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Set;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides: applies each decoded request to the {@link ClusterState} and answers it; consumer group requests go to
 * {@link GroupRequests}. Every request runs on the single state thread ({@value #STATE_THREAD_NAME}), so the state
 * needs no locks; the state thread does no I/O.
 *
 * <p>Every response, and every LEADER_INFO broadcast, goes out through the {@link StoreWriter}: after the change
 * records of the change it reflects are durable (a COMMIT_OFFSET is answered only once the offset is on disk), and
 * in request order, so nothing a peer sees can be lost by a coordinator crash. Requests that change nothing
 * (FETCH_OFFSET, METADATA of existing topics, a HEARTBEAT that changes no leadership) write nothing but still queue
 * behind pending writes.
 * When a write fails, changing requests are answered STORAGE_ERROR; the change stays in memory and is retried with
 * the next write. Group answers, which may come later than their request (see {@link GroupRequests}), take the same
 * path and write nothing.
 */
public final class RequestProcessor {
    public static final String STATE_THREAD_NAME = "yak-coordinator-state";
    private static final Logger LOG = LoggerFactory.getLogger(RequestProcessor.class);

    private final ClusterState state;
    /** The brokers' reports (BROKER_STATS_REQUEST), kept for the console. */
    private final BrokerReports reports;
    private final StoreWriter writer;
    private final Broadcaster broadcaster;
    private final Clock clock;
    private final Executor stateExecutor;
    private final Map<MessageType, Counter> requests = new EnumMap<>(MessageType.class);
    private final RejectionLog rejections;
    private final GroupRequests groupRequests;
    private final GroupAdminRequests groupAdmin;

    /** The request types the coordinator serves; any other is answered before it reaches the state thread. */
    private static final Set<MessageType> SERVED = EnumSet.of(MessageType.REGISTER_BROKER_REQUEST,
        MessageType.HEARTBEAT_REQUEST, MessageType.BROKER_SHUTDOWN_REQUEST, MessageType.REGISTER_PRODUCER_REQUEST,
        MessageType.REGISTER_CONSUMER_REQUEST, MessageType.CREATE_TOPIC_REQUEST, MessageType.METADATA_REQUEST,
        MessageType.COMMIT_OFFSET_REQUEST, MessageType.FETCH_OFFSET_REQUEST, MessageType.ALTER_ISR_REQUEST,
        MessageType.JOIN_GROUP_REQUEST, MessageType.SYNC_GROUP_REQUEST, MessageType.GROUP_HEARTBEAT_REQUEST,
        MessageType.LEAVE_GROUP_REQUEST, MessageType.LIST_GROUPS_REQUEST, MessageType.DESCRIBE_GROUP_REQUEST,
        MessageType.DELETE_GROUP_REQUEST, MessageType.DELETE_TOPIC_REQUEST, MessageType.CREATE_PARTITIONS_REQUEST,
        MessageType.ALTER_TOPIC_CONFIGS_REQUEST, MessageType.BROKER_STATS_REQUEST);

    /**
     * @param state         owned by {@code stateExecutor}'s single thread from now on
     * @param groups        the consumer groups; owned by {@code stateExecutor}'s single thread from now on
     * @param clock         time for heartbeats and liveness; only {@link Clock#millis()} is used, as a monotonic
     *                      millisecond count
     * @param stateExecutor a single thread; every use of {@code state} runs on it
     * @param rejections    the server's: refused requests are counted and logged through it, rate-limited
     */
    public RequestProcessor(ClusterState state, GroupCoordinator groups, StoreWriter writer, Broadcaster broadcaster,
                            Clock clock, Executor stateExecutor, MeterRegistry registry, RejectionLog rejections,
                            BrokerReports reports) {
        this.state = state;
        this.reports = reports;
        this.groupRequests = new GroupRequests(groups,
            (r, correlationId, answer) -> reply(r, correlationId, answer, null, false, false), clock, rejections);
        this.groupAdmin = new GroupAdminRequests(groups, state);
        this.rejections = rejections;
        this.writer = writer;
        this.broadcaster = broadcaster;
        this.clock = clock;
        this.stateExecutor = stateExecutor;
        for (MessageType t : MessageType.values()) {
            requests.put(t, Counter.builder("yak.coordinator.requests").tag("type", t.name())
                .description("requests received by the coordinator").register(registry));
        }
    }

    /** Whether the coordinator serves requests of this type. */
    static boolean serves(MessageType type) {
        return SERVED.contains(type);
    }

    /** Queues a decoded request for the state thread; takes ownership of the frame. Called on an event loop. */
    void submit(Responder responder, long connectionId, Frame frame) {
        try {
            stateExecutor.execute(() -> handle(responder, connectionId, frame));
        } catch (RejectedExecutionException e) {
            frame.release();
            LOG.debug("dropping {} from {}: the coordinator is closing", frame.type(),
                responder.channel().remoteAddress());
        }
    }

    /** Tells the state that a connection closed. Called on an event loop. */
    void connectionClosed(long connectionId) {
        try {
            stateExecutor.execute(() -> state.connectionClosed(connectionId));
        } catch (RejectedExecutionException e) {
            LOG.debug("connection {} closed while the coordinator is closing", connectionId);
        }
    }

    /** After a pause of the coordinator itself: see {@link ClusterState#forgiveSilence}. State thread. */
    public void forgiveSilence() {
        state.forgiveSilence(clock.millis());
    }

    /**
     * Declares silent brokers dead and, when that changed the state, persists it and broadcasts LEADER_INFO.
     * Must run on the state thread.
     *
     * @return whether the state changed
     */
    public boolean checkLiveness() {
        return persistAndBroadcastIf(state.checkLiveness(clock.millis()));
    }

    /**
     * Moves leadership back to preferred replicas and, when a leader moved, persists and broadcasts. Must run on
     * the state thread.
     *
     * @return whether a leader moved
     */
    public boolean electPreferredLeaders() {
        return persistAndBroadcastIf(state.electPreferredLeaders());
    }

    /**
     * Ticks the consumer groups: expires silent members, finishes joins and syncs whose time is up, and answers
     * them. Must run on the state thread.
     */
    public void tickGroups() {
        groupRequests.tick();
    }

    /** For a change no request asked for: persists what changed, then pushes the metadata change. */
    private boolean persistAndBroadcastIf(boolean changed) {
        ClusterState.Changes changes = state.drainChanges();
        if (changed || !changes.records().isEmpty()) {
            ClusterMetadata metadata = state.metadata();
            writer.submit(changes.records(), failure -> broadcaster.broadcast(metadata, changes.delta()));
        }
        return changed;
    }

    private void handle(Responder r, long connectionId, Frame frame) {
        Message m = frame.message();
        int correlationId = frame.correlationId();
        requests.get(m.type()).increment();
        try {
            switch (m.type()) {
                case REGISTER_BROKER_REQUEST -> registerBroker(r, correlationId, connectionId,
                    (RegisterBrokerRequest) m);
                case HEARTBEAT_REQUEST -> heartbeat(r, correlationId, connectionId, (HeartbeatRequest) m);
                case BROKER_STATS_REQUEST -> brokerStats(r, correlationId, connectionId, (BrokerStatsRequest) m);
                case BROKER_SHUTDOWN_REQUEST -> brokerShutdown(r, correlationId, connectionId,
                    (BrokerShutdownRequest) m);
                case REGISTER_PRODUCER_REQUEST -> registerProducer(r, correlationId, (RegisterProducerRequest) m);
                case REGISTER_CONSUMER_REQUEST -> registerConsumer(r, correlationId, (RegisterConsumerRequest) m);
                case CREATE_TOPIC_REQUEST -> createTopic(r, correlationId, (CreateTopicRequest) m);
                case METADATA_REQUEST -> metadata(r, correlationId, (MetadataRequest) m);
                case COMMIT_OFFSET_REQUEST -> commitOffset(r, correlationId, (CommitOffsetRequest) m);
                case FETCH_OFFSET_REQUEST -> fetchOffset(r, correlationId, (FetchOffsetRequest) m);
                case ALTER_ISR_REQUEST -> alterIsr(r, correlationId, (AlterIsrRequest) m);
                case JOIN_GROUP_REQUEST -> groupRequests.join(r, correlationId, (JoinGroupRequest) m);
                case SYNC_GROUP_REQUEST -> groupRequests.sync(r, correlationId, (SyncGroupRequest) m);
                case GROUP_HEARTBEAT_REQUEST -> groupRequests.heartbeat(r, correlationId, (GroupHeartbeatRequest) m);
                case LEAVE_GROUP_REQUEST -> groupRequests.leave(r, correlationId, (LeaveGroupRequest) m);
                case LIST_GROUPS_REQUEST -> reply(r, correlationId,
                    groupAdmin.list(((ListGroupsRequest) m).states()), null, false, false);
                case DESCRIBE_GROUP_REQUEST -> reply(r, correlationId,
                    groupAdmin.describe(((DescribeGroupRequest) m).group()), null, false, false);
                case DELETE_GROUP_REQUEST -> deleteGroup(r, correlationId, (DeleteGroupRequest) m);
                case DELETE_TOPIC_REQUEST -> deleteTopic(r, correlationId, (DeleteTopicRequest) m);
                case CREATE_PARTITIONS_REQUEST -> createPartitions(r, correlationId, (CreatePartitionsRequest) m);
                case ALTER_TOPIC_CONFIGS_REQUEST -> alterTopicConfigs(r, correlationId, (AlterTopicConfigsRequest) m);
                // CoordinatorRequestHandler answers every type not in SERVED; one reaching here is a bug
                default -> throw new IllegalStateException(m.type() + " is in SERVED but has no case here");
            }
        } catch (RuntimeException e) {
            LOG.error("bug while handling {} (correlation id {}) from {}; closing that connection", m.type(),
                correlationId, r.channel().remoteAddress(), e);
            r.fail(Frame.of(correlationId, new ErrorResponse(ErrorCode.UNKNOWN_SERVER_ERROR, e.toString())));
        } finally {
            frame.release();
        }
    }

    private void registerBroker(Responder r, int correlationId, long connectionId, RegisterBrokerRequest m) {
        RegisterResult result = state.registerBroker(m.brokerId(), m.host(), m.port(), m.incarnationId(),
            m.cleanShutdown(), connectionId, r.channel().remoteAddress(), clock.millis());
        if (result.error() == ErrorCode.NONE) {
            broadcaster.register(r.channel());
        } else {
            rejections.countOnly(RejectReason.REGISTRATION_REFUSED); // logged by the state, once per address a minute
        }
        ClusterMetadata md = state.metadata();
        reply(r, correlationId, new RegisterBrokerResponse(result.error(), result.brokerEpoch(), md),
            new RegisterBrokerResponse(ErrorCode.STORAGE_ERROR, -1, md), result.changed(), result.changed());
    }

    /**
     * A heartbeat that changes leadership (its broker lists partitions it cannot serve, or no longer lists one) is
     * persisted and broadcast like a broker death; the usual one changes nothing and writes nothing.
     */
    private void heartbeat(Responder r, int correlationId, long connectionId, HeartbeatRequest m) {
        HeartbeatResult result = state.heartbeat(m.brokerId(), connectionId, m.offlinePartitions(), clock.millis());
        if (!result.known()) {
            LOG.debug("heartbeat from broker {} at {}, not registered and alive on that connection: asking it to "
                + "register", m.brokerId(), r.channel().remoteAddress());
        }
        reply(r, correlationId, new HeartbeatResponse(result.known() ? ErrorCode.NONE : ErrorCode.UNKNOWN_BROKER,
            state.epoch()), null, result.changed(), result.changed());
    }

    /** A broker's report of the partitions it leads is kept for the console when it comes from that broker. */
    private void brokerStats(Responder r, int correlationId, long connectionId, BrokerStatsRequest m) {
        boolean known = state.isRegisteredOn(m.brokerId(), connectionId);
        if (known) {
            reports.report(m.brokerId(), m.partitions(), clock.millis());
        } else {
            rejections.reject(r.channel().remoteAddress(), RejectReason.REQUEST_REFUSED, "report of broker "
                + m.brokerId() + " ignored: that broker is not registered and alive on this connection");
        }
        reply(r, correlationId, new BrokerStatsResponse(known ? ErrorCode.NONE : ErrorCode.UNKNOWN_BROKER), null,
            false, false);
    }

    /** A clean broker shutdown is persisted like a broker death, then answered and broadcast. */
    private void brokerShutdown(Responder r, int correlationId, long connectionId, BrokerShutdownRequest m) {
        boolean applied = state.brokerShutdown(m.brokerId(), connectionId);
        if (!applied) {
            rejections.reject(r.channel().remoteAddress(), RejectReason.REQUEST_REFUSED, "shutdown of broker "
                + m.brokerId() + " ignored: that broker is not registered and alive on this connection");
        }
        long epoch = state.epoch();
        reply(r, correlationId, new BrokerShutdownResponse(applied ? ErrorCode.NONE : ErrorCode.UNKNOWN_BROKER, epoch),
            new BrokerShutdownResponse(ErrorCode.STORAGE_ERROR, epoch), applied, applied);
    }

    private void registerProducer(Responder r, int correlationId, RegisterProducerRequest m) {
        long producerId = state.allocateProducerId();
        broadcaster.register(r.channel());
        ClusterMetadata md = state.metadata();
        // DEBUG, as Kafka logs client connections: anyone can register clients, a flood must not fill the log
        LOG.debug("producer '{}' at {} registered with producer id {}", LogText.safe(m.clientId()),
            r.channel().remoteAddress(), producerId);
        reply(r, correlationId, new RegisterProducerResponse(ErrorCode.NONE, producerId, md),
            new RegisterProducerResponse(ErrorCode.STORAGE_ERROR, -1, md), true, false);
    }

    private void registerConsumer(Responder r, int correlationId, RegisterConsumerRequest m) {
        broadcaster.register(r.channel());
        if (m.groupId() == null || m.groupId().isEmpty()) {
            LOG.debug("consumer '{}' at {} registered", LogText.safe(m.clientId()), r.channel().remoteAddress());
        } else {
            LOG.debug("consumer '{}' (group '{}') at {} registered", LogText.safe(m.clientId()),
                LogText.safe(m.groupId()), r.channel().remoteAddress());
        }
        reply(r, correlationId, new RegisterConsumerResponse(ErrorCode.NONE, state.metadata()), null, false, false);
    }

    private void createTopic(Responder r, int correlationId, CreateTopicRequest m) {
        TopicCreation result = state.createTopic(m.topic(), m.partitions(), m.replicationFactor(), m.configs(),
            clock.millis());
        ErrorCode error = result.error();
        ClusterMetadata md = state.metadata();
        boolean changed = error == ErrorCode.NONE;
        String message = changed ? null : result.message() != null ? result.message() : createTopicError(error, m);
        if (!changed) {
            rejections.reject(r.channel().remoteAddress(), RejectReason.REQUEST_REFUSED, "CREATE_TOPIC '"
                + LogText.safe(m.topic()) + "' (" + m.partitions() + " partitions, replication factor "
                + m.replicationFactor() + ", configs " + LogText.safe(String.valueOf(m.configs())) + ") answered "
                + error + ": " + LogText.safe(message));
        }
        reply(r, correlationId, new CreateTopicResponse(error, message, md),
            new CreateTopicResponse(ErrorCode.STORAGE_ERROR, "topic created but not yet persisted", md), changed,
            changed);
    }

    private static String createTopicError(ErrorCode error, CreateTopicRequest m) {
        String topic = m.topic();
        int partitions = m.partitions();
        return switch (error) {
            case INVALID_TOPIC -> "topic name '" + topic + "' must match [a-zA-Z0-9._-]{1,249} and not be . or ..";
            case TOPIC_ALREADY_EXISTS -> "topic '" + topic + "' already exists";
            case INVALID_CONFIG -> "topic '" + topic + "': " + TopicConfigs.problem(m.configs());
            case NO_LIVE_BROKERS -> "no live broker to place topic '" + topic + "' on";
            case INVALID_REQUEST -> "a topic has 1.." + ClusterState.MAX_PARTITIONS_PER_TOPIC + " partitions (asked: "
                + partitions + ") and the cluster holds at most " + ClusterState.MAX_TOTAL_PARTITIONS + " in all";
            default -> error.toString();
        };
    }

    private void metadata(Responder r, int correlationId, MetadataRequest m) {
        TopicLookup lookup = state.lookupTopics(m.autoCreate(), m.topics(), clock.millis());
        ClusterMetadata md = state.metadata();
        reply(r, correlationId, new MetadataResponse(lookup.error(), lookup.message(), md),
            new MetadataResponse(ErrorCode.STORAGE_ERROR, "topics " + lookup.created()
                + " created but not yet persisted", md), lookup.changed(), lookup.changed());
    }

    /**
     * A commit is fenced by its group first (a member of an old generation, or one the group does not have, moves
     * no offset; refusals are logged there), then stored.
     */
    private void commitOffset(Responder r, int correlationId, CommitOffsetRequest m) {
        ErrorCode fenced = groupRequests.fenceCommit(r, m);
        if (fenced != ErrorCode.NONE) {
            reply(r, correlationId, new CommitOffsetResponse(fenced), null, false, false);
            return;
        }
        ErrorCode error = state.commitOffset(m.group(), m.topic(), m.partition(), m.offset());
        if (error != ErrorCode.NONE) {
            rejections.reject(r.channel().remoteAddress(), RejectReason.REQUEST_REFUSED, "COMMIT_OFFSET of group '"
                + LogText.safe(m.group()) + "' for " + LogText.safe(m.topic()) + "-" + m.partition() + " at "
                + m.offset() + " answered " + error);
        }
        reply(r, correlationId, new CommitOffsetResponse(error), new CommitOffsetResponse(ErrorCode.STORAGE_ERROR),
            error == ErrorCode.NONE, false);
    }

    /**
     * A leader's ISR change: answered once the accepted changes are stored, then broadcast. A refused request (stale
     * broker epoch, unknown broker) is counted and logged, rate-limited: a fenced old process may retry.
     */
    private void alterIsr(Responder r, int correlationId, AlterIsrRequest m) {
        AlterIsrOutcome outcome = state.alterIsr(m.brokerId(), m.brokerEpoch(), m.partitions());
        if (outcome.error() != ErrorCode.NONE) {
            rejections.reject(r.channel().remoteAddress(), RejectReason.REQUEST_REFUSED, "ALTER_ISR of broker "
                + m.brokerId() + " (broker epoch " + m.brokerEpoch() + ", " + m.partitions().size()
                + " partition(s)) answered " + outcome.error());
        }
        reply(r, correlationId, new AlterIsrResponse(outcome.error(), outcome.results()),
            new AlterIsrResponse(ErrorCode.STORAGE_ERROR, outcome.results()), outcome.changed(), outcome.changed());
    }

    /** A group's offsets deleted: answered once the change record is durable. */
    private void deleteGroup(Responder r, int correlationId, DeleteGroupRequest m) {
        DeleteGroupResponse answer = groupAdmin.delete(m.group());
        boolean changed = answer.error() == ErrorCode.NONE;
        if (!changed) {
            rejections.reject(r.channel().remoteAddress(), RejectReason.REQUEST_REFUSED, "DELETE_GROUP '"
                + LogText.safe(m.group()) + "' answered " + answer.error());
        }
        reply(r, correlationId, answer, new DeleteGroupResponse(ErrorCode.STORAGE_ERROR,
            "group deleted but not yet persisted"), changed, false);
    }

    /** A topic deleted: answered once durable, then pushed (brokers delete its partitions when they learn it). */
    private void deleteTopic(Responder r, int correlationId, DeleteTopicRequest m) {
        ErrorCode error = state.deleteTopic(m.topic());
        boolean changed = error == ErrorCode.NONE;
        String message = switch (error) {
            case NONE -> null;
            case INVALID_TOPIC -> "topic name '" + m.topic() + "' must match [a-zA-Z0-9._-]{1,249} and not be . or ..";
            case UNKNOWN_TOPIC -> "topic '" + m.topic() + "' does not exist";
            default -> error.toString();
        };
        if (!changed) {
            rejections.reject(r.channel().remoteAddress(), RejectReason.REQUEST_REFUSED, "DELETE_TOPIC '"
                + LogText.safe(m.topic()) + "' answered " + error);
        }
        reply(r, correlationId, new DeleteTopicResponse(error, message), new DeleteTopicResponse(
            ErrorCode.STORAGE_ERROR, "topic deleted but not yet persisted"), changed, changed);
    }

    /** A topic grown: answered once durable, then pushed whole (brokers create the new partitions). */
    private void createPartitions(Responder r, int correlationId, CreatePartitionsRequest m) {
        TopicCreation result = state.createPartitions(m.topic(), m.partitions(), clock.millis());
        boolean changed = result.error() == ErrorCode.NONE;
        if (!changed) {
            rejections.reject(r.channel().remoteAddress(), RejectReason.REQUEST_REFUSED, "CREATE_PARTITIONS '"
                + LogText.safe(m.topic()) + "' to " + m.partitions() + " answered " + result.error() + ": "
                + LogText.safe(result.message()));
        }
        reply(r, correlationId, new CreatePartitionsResponse(result.error(), changed ? null : result.message()),
            new CreatePartitionsResponse(ErrorCode.STORAGE_ERROR, "partitions added but not yet persisted"),
            changed, changed);
    }

    /** A topic's configs changed: answered once durable, then pushed whole (brokers apply the new values). */
    private void alterTopicConfigs(Responder r, int correlationId, AlterTopicConfigsRequest m) {
        TopicCreation result = state.alterTopicConfigs(m.topic(), m.configs(), m.deletedKeys());
        boolean changed = result.error() == ErrorCode.NONE;
        if (!changed) {
            rejections.reject(r.channel().remoteAddress(), RejectReason.REQUEST_REFUSED, "ALTER_TOPIC_CONFIGS '"
                + LogText.safe(m.topic()) + "' answered " + result.error() + ": " + LogText.safe(result.message()));
        }
        reply(r, correlationId, new AlterTopicConfigsResponse(result.error(), changed ? null : result.message()),
            new AlterTopicConfigsResponse(ErrorCode.STORAGE_ERROR, "configs changed but not yet persisted"),
            changed, changed);
    }

    private void fetchOffset(Responder r, int correlationId, FetchOffsetRequest m) {
        FetchedOffset fetched = state.fetchOffset(m.group(), m.topic(), m.partition());
        reply(r, correlationId, new FetchOffsetResponse(fetched.error(), fetched.offset()), null, false, false);
    }

    /**
     * Answers after everything submitted before is durable, and after this request's changes (the state's change
     * records, which {@code persist} says to expect).
     *
     * @param notDurable the answer when the write failed (null: {@code ok} regardless)
     * @param broadcast  push the metadata change to every registered connection after answering (also done
     *                   whenever the cluster epoch moved, so receivers see every epoch)
     */
    private void reply(Responder r, int correlationId, Message ok, Message notDurable, boolean persist,
                       boolean broadcast) {
        ClusterState.Changes changes = state.drainChanges();
        assert persist || changes.records().isEmpty() : "unexpected changes " + changes.records();
        ClusterMetadata metadata = broadcast || changes.delta() != null ? state.metadata() : null;
        writer.submit(changes.records(), failure -> {
            r.respond(Frame.of(correlationId, failure != null && notDurable != null ? notDurable : ok));
            if (metadata != null) {
                broadcaster.broadcast(metadata, changes.delta());
            }
        });
    }
}
