package io.yak.client.fake;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.yak.wire.ErrorCode;
import io.yak.wire.config.TopicConfigs;
import io.yak.wire.message.BrokerInfo;
import io.yak.wire.message.ClusterMetadata;
import io.yak.wire.message.CommitOffsetRequest;
import io.yak.wire.message.CommitOffsetResponse;
import io.yak.wire.message.CreateTopicRequest;
import io.yak.wire.message.CreateTopicResponse;
import io.yak.wire.message.FetchOffsetRequest;
import io.yak.wire.message.FetchOffsetResponse;
import io.yak.wire.message.GroupAssignment;
import io.yak.wire.message.GroupHeartbeatRequest;
import io.yak.wire.message.GroupHeartbeatResponse;
import io.yak.wire.message.GroupProtocol;
import io.yak.wire.message.JoinGroupMember;
import io.yak.wire.message.JoinGroupRequest;
import io.yak.wire.message.JoinGroupResponse;
import io.yak.wire.message.LeaveGroupRequest;
import io.yak.wire.message.LeaveGroupResponse;
import io.yak.wire.message.SyncGroupRequest;
import io.yak.wire.message.SyncGroupResponse;
import io.yak.wire.message.Frame;
import io.yak.wire.message.LeaderInfo;
import io.yak.wire.message.Message;
import io.yak.wire.message.MetadataRequest;
import io.yak.wire.message.MetadataResponse;
import io.yak.wire.message.PartitionInfo;
import io.yak.wire.message.RegisterConsumerRequest;
import io.yak.wire.message.RegisterConsumerResponse;
import io.yak.wire.message.RegisterProducerRequest;
import io.yak.wire.message.RegisterProducerResponse;
import io.yak.wire.message.TopicInfo;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

/**
 * A small but real coordinator for client tests: registrations (with LEADER_INFO pushes to registered
 * connections), METADATA with auto-creation, CREATE_TOPIC, COMMIT/FETCH_OFFSET. Brokers are added directly by
 * the test; leaders can be moved with or without telling the clients. State is guarded by this object.
 */
public final class FakeCoordinator implements AutoCloseable {
    private static final Pattern TOPIC_NAME = Pattern.compile("[a-zA-Z0-9._-]{1,249}");

    private final FakeServer server;
    private final int defaultPartitions;
    private int defaultReplicationFactor = 1;
    private CreateTopicRequest lastCreateTopic;
    private final Set<Channel> registered = ConcurrentHashMap.newKeySet();
    private final TreeMap<Integer, BrokerInfo> brokers = new TreeMap<>();
    private final LinkedHashMap<String, List<PartitionInfo>> topics = new LinkedHashMap<>();
    private final Map<String, Map<String, String>> topicConfigs = new HashMap<>();
    private final Map<String, Long> offsets = new HashMap<>();
    private long epoch;
    private long producerIds;
    private boolean autoCreate = true;
    /** COMMIT_OFFSET requests still to fail, and how: an error code, or null to close the connection unanswered. */
    private int failCommits;
    private ErrorCode failCommitsWith;
    /** Whether COMMIT_OFFSET and FETCH_OFFSET requests are left unanswered on an open connection. */
    private boolean stallOffsets;
    public final AtomicInteger metadataRequests = new AtomicInteger();
    public final AtomicInteger registrations = new AtomicInteger();
    public final AtomicInteger commits = new AtomicInteger();
    private int groupGenerations;

    public FakeCoordinator(int defaultPartitions) {
        this.defaultPartitions = defaultPartitions;
        this.server = new FakeServer("fake-coordinator", Handler::new);
    }

    public String address() {
        return server.address();
    }

    public int port() {
        return server.port();
    }

    public synchronized void addBroker(int id, int port) {
        brokers.put(id, new BrokerInfo(id, "127.0.0.1", port, true));
        epoch++;
    }

    public synchronized void autoCreate(boolean on) {
        autoCreate = on;
    }

    /**
     * The next {@code n} COMMIT_OFFSET requests fail: answered with {@code error}, or with {@code error == null}
     * the connection is closed without an answer (the coordinator went away mid-request).
     */
    public synchronized void failNextCommits(int n, ErrorCode error) {
        failCommits = n;
        failCommitsWith = error;
    }

    /** Leaves COMMIT_OFFSET and FETCH_OFFSET requests unanswered (a hung coordinator), the connection open. */
    public synchronized void stallOffsets(boolean stall) {
        stallOffsets = stall;
    }

    public synchronized ClusterMetadata metadata() {
        List<TopicInfo> ts = new ArrayList<>();
        topics.forEach((name, parts) -> ts.add(new TopicInfo(name, parts, topicConfigs.getOrDefault(name, Map.of()))));
        return new ClusterMetadata(epoch, new ArrayList<>(brokers.values()), ts);
    }

    /** Creates a topic with one replica per partition, leaders round-robin over the brokers. */
    public synchronized ErrorCode createTopic(String name, int partitions) {
        return createTopic(name, partitions, Map.of());
    }

    /** Creates a topic with per-topic configs, checked as the real coordinator does (INVALID_CONFIG). */
    public synchronized ErrorCode createTopic(String name, int partitions, Map<String, String> configs) {
        return createTopic(name, partitions, (short) 1, configs);
    }

    /**
     * Creates a topic as the real coordinator does: {@code replicationFactor} distinct brokers per partition
     * (-1: {@link #defaultReplicationFactor}), partition i's replicas starting at broker position i, the first
     * leading, all in sync; a factor above the broker count is INVALID_REPLICATION_FACTOR.
     */
    public synchronized ErrorCode createTopic(String name, int partitions, short replicationFactor,
                                              Map<String, String> configs) {
        if (!TOPIC_NAME.matcher(name).matches()) {
            return ErrorCode.INVALID_TOPIC;
        }
        if (TopicConfigs.problem(configs) != null) {
            return ErrorCode.INVALID_CONFIG;
        }
        if (topics.containsKey(name)) {
            return ErrorCode.TOPIC_ALREADY_EXISTS;
        }
        if (brokers.isEmpty()) {
            return ErrorCode.NO_LIVE_BROKERS;
        }
        int rf = replicationFactor == -1 ? defaultReplicationFactor : replicationFactor;
        if (rf < 1) {
            return ErrorCode.INVALID_REQUEST;
        }
        if (rf > brokers.size()) {
            return ErrorCode.INVALID_REPLICATION_FACTOR;
        }
        int n = partitions == -1 ? defaultPartitions : partitions;
        List<Integer> ids = new ArrayList<>(brokers.keySet());
        List<PartitionInfo> parts = new ArrayList<>();
        for (int p = 0; p < n; p++) {
            List<Integer> replicas = new ArrayList<>();
            for (int r = 0; r < rf; r++) {
                replicas.add(ids.get((p + r) % ids.size()));
            }
            parts.add(new PartitionInfo(p, replicas.get(0), 0, 0, replicas, replicas));
        }
        topics.put(name, parts);
        topicConfigs.put(name, Map.copyOf(configs));
        epoch++;
        return ErrorCode.NONE;
    }

    /** The replication factor CREATE_TOPIC with -1 gets (1 unless set). */
    public synchronized void defaultReplicationFactor(int rf) {
        defaultReplicationFactor = rf;
    }

    /** The last CREATE_TOPIC request received, or null. */
    public synchronized CreateTopicRequest lastCreateTopic() {
        return lastCreateTopic;
    }

    /** Sets a partition's ISR (partition epoch + 1), telling nobody. */
    public synchronized void setIsr(String topic, int partition, List<Integer> isr) {
        List<PartitionInfo> parts = topics.get(topic);
        PartitionInfo old = parts.get(partition);
        parts.set(partition, new PartitionInfo(partition, old.leader(), old.leaderEpoch(), old.partitionEpoch() + 1,
            old.replicas(), isr));
        epoch++;
    }

    /**
     * Moves a partition's leader (-1 = offline; leader epoch + 1; a new leader joins the replicas and the ISR);
     * with {@code push} every registered client hears of it.
     */
    public void setLeader(String topic, int partition, int leader, boolean push) {
        synchronized (this) {
            List<PartitionInfo> parts = topics.get(topic);
            PartitionInfo old = parts.get(partition);
            List<Integer> replicas = new ArrayList<>(old.replicas());
            List<Integer> isr = new ArrayList<>(old.isr());
            if (leader != -1 && !replicas.contains(leader)) {
                replicas.add(leader);
            }
            if (leader != -1 && !isr.contains(leader)) {
                isr.add(leader);
            }
            parts.set(partition, new PartitionInfo(partition, leader, old.leaderEpoch() + 1, old.partitionEpoch() + 1,
                replicas, isr));
            epoch++;
        }
        if (push) {
            pushLeaderInfo();
        }
    }

    public void pushLeaderInfo() {
        push(new LeaderInfo(metadata()));
    }

    /** Pushes any message (a LEADER_INFO_DELTA the test built) to every registered client, correlation id 0. */
    public void push(Message push) {
        for (Channel ch : registered) {
            ch.writeAndFlush(Frame.of(0, push));
        }
    }

    public int registeredClients() {
        return registered.size();
    }

    public synchronized Long committed(String group, String topic, int partition) {
        return offsets.get(group + "/" + topic + "/" + partition);
    }

    public void dropConnections() {
        server.dropConnections();
    }

    @Override
    public void close() {
        server.close();
    }

    private synchronized Message handle(Channel ch, Message m) {
        if (m instanceof RegisterProducerRequest) {
            registrations.incrementAndGet();
            registered.add(ch);
            ch.closeFuture().addListener(f -> registered.remove(ch));
            return new RegisterProducerResponse(ErrorCode.NONE, ++producerIds, metadata());
        }
        if (m instanceof RegisterConsumerRequest) {
            registrations.incrementAndGet();
            registered.add(ch);
            ch.closeFuture().addListener(f -> registered.remove(ch));
            return new RegisterConsumerResponse(ErrorCode.NONE, metadata());
        }
        if (m instanceof MetadataRequest r) {
            metadataRequests.incrementAndGet();
            return metadata(r);
        }
        if (m instanceof CreateTopicRequest r) {
            lastCreateTopic = r;
            ErrorCode e = createTopic(r.topic(), r.partitions(), r.replicationFactor(), r.configs());
            String why = e == ErrorCode.INVALID_CONFIG ? TopicConfigs.problem(r.configs())
                : e == ErrorCode.INVALID_REPLICATION_FACTOR ? "replication factor " + r.replicationFactor()
                    + " larger than the " + brokers.size() + " available broker(s)"
                : e.toString();
            return new CreateTopicResponse(e, e == ErrorCode.NONE ? null : "topic " + r.topic() + ": " + why,
                metadata());
        }
        if (m instanceof CommitOffsetRequest r) {
            commits.incrementAndGet();
            if (stallOffsets) {
                return null;
            }
            if (failCommits > 0) {
                failCommits--;
                if (failCommitsWith == null) {
                    ch.close();
                    return null;
                }
                return new CommitOffsetResponse(failCommitsWith);
            }
            offsets.put(r.group() + "/" + r.topic() + "/" + r.partition(), r.offset());
            return new CommitOffsetResponse(ErrorCode.NONE);
        }
        if (m instanceof FetchOffsetRequest r) {
            if (stallOffsets) {
                return null;
            }
            Long o = offsets.get(r.group() + "/" + r.topic() + "/" + r.partition());
            return new FetchOffsetResponse(ErrorCode.NONE, o == null ? -1 : o);
        }
        // Groups: every join forms a generation of that member alone, so each consumer owns all it subscribes to
        // (the real coordinator's group protocol is tested against the real coordinator).
        if (m instanceof JoinGroupRequest r) {
            int generation = ++groupGenerations;
            String id = r.memberId().isEmpty() ? "member-" + generation : r.memberId();
            GroupProtocol chosen = r.protocols().get(0);
            return new JoinGroupResponse(ErrorCode.NONE, generation, chosen.name(), id, id,
                List.of(new JoinGroupMember(id, r.groupInstanceId(), chosen.metadata())));
        }
        if (m instanceof SyncGroupRequest r) {
            byte[] mine = r.assignments().stream().filter(a -> a.memberId().equals(r.memberId()))
                .map(GroupAssignment::assignment).findFirst().orElse(new byte[0]);
            return new SyncGroupResponse(ErrorCode.NONE, mine);
        }
        if (m instanceof GroupHeartbeatRequest) {
            return new GroupHeartbeatResponse(ErrorCode.NONE);
        }
        if (m instanceof LeaveGroupRequest) {
            return new LeaveGroupResponse(ErrorCode.NONE);
        }
        throw new IllegalStateException("fake coordinator does not serve " + m.type());
    }

    private MetadataResponse metadata(MetadataRequest r) {
        ErrorCode error = ErrorCode.NONE;
        String message = null;
        for (String t : r.topics()) {
            if (!topics.containsKey(t)) {
                if (r.autoCreate() && autoCreate) {
                    ErrorCode e = createTopic(t, -1);
                    if (e != ErrorCode.NONE) {
                        error = e;
                        message = "cannot create " + t;
                    }
                } else {
                    error = ErrorCode.UNKNOWN_TOPIC;
                    message = "unknown topic " + t;
                }
            }
        }
        ClusterMetadata all = metadata();
        if (r.topics().isEmpty()) {
            return new MetadataResponse(error, message, all);
        }
        List<TopicInfo> asked = new ArrayList<>();
        for (TopicInfo t : all.topics()) {
            if (r.topics().contains(t.name())) {
                asked.add(t);
            }
        }
        return new MetadataResponse(error, message, new ClusterMetadata(all.epoch(), all.brokers(), asked));
    }

    private final class Handler extends SimpleChannelInboundHandler<Frame> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, Frame f) {
            Message response = handle(ctx.channel(), f.message());
            if (response == null) {
                return; // the connection was closed instead, or the request is left unanswered
            }
            ctx.writeAndFlush(Frame.of(f.correlationId(), response));
        }
    }
}
