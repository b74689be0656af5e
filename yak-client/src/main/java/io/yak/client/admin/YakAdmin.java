package io.yak.client.admin;

import io.yak.client.TopicPartition;
import io.yak.client.consumer.ConsumerProtocol;
import io.yak.client.YakException;
import io.yak.client.internal.ClientNetwork;
import io.yak.client.internal.CommonConfig;
import io.yak.wire.ErrorCode;
import io.yak.wire.config.HostPort;
import io.yak.wire.config.TopicConfigs;
import io.yak.wire.log.LogText;
import io.yak.wire.message.BrokerInfo;
import io.yak.wire.message.ClusterMetadata;
import io.yak.wire.message.CommitOffsetRequest;
import io.yak.wire.message.CommitOffsetResponse;
import io.yak.wire.message.AlterTopicConfigsRequest;
import io.yak.wire.message.AlterTopicConfigsResponse;
import io.yak.wire.message.CreatePartitionsRequest;
import io.yak.wire.message.CreatePartitionsResponse;
import io.yak.wire.message.DeleteGroupRequest;
import io.yak.wire.message.DeleteGroupResponse;
import io.yak.wire.message.DeleteTopicRequest;
import io.yak.wire.message.DeleteTopicResponse;
import io.yak.wire.message.DescribeGroupRequest;
import io.yak.wire.message.DescribeGroupResponse;
import io.yak.wire.message.DescribedMember;
import io.yak.wire.message.GroupOffset;
import io.yak.wire.message.ListGroupsRequest;
import io.yak.wire.message.ListGroupsResponse;
import io.yak.wire.message.ListedGroup;
import io.yak.wire.message.CreateTopicRequest;
import io.yak.wire.message.CreateTopicResponse;
import io.yak.wire.message.ListOffsetsRequest;
import io.yak.wire.message.ListOffsetsResponse;
import io.yak.wire.message.Message;
import io.yak.wire.message.MetadataRequest;
import io.yak.wire.message.MetadataResponse;
import io.yak.wire.message.PartitionInfo;
import io.yak.wire.message.TopicInfo;
import io.yak.wire.net.Connection;
import io.yak.wire.net.NetworkClient;
import io.yak.wire.WireException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Topic, group and cluster administration: create, list, describe and delete topics (optionally with a replication
 * factor and per-topic configs), describe the cluster, list, describe and delete consumer groups and reset their
 * offsets (all against the coordinator), and read partitions' offsets (from their leaders). Every call is synchronous (bounded by {@code request.timeout.ms}) and
 * throws {@link YakException} with the server's error code, or {@link io.yak.client.YakConnectionException} when
 * the coordinator cannot be reached.
 * Never creates topics implicitly. Thread-safe.
 *
 * <p>Keys: {@code coordinator} (127.0.0.1:7000), {@code client.id}, {@code request.timeout.ms} (30000),
 * {@code connect.timeout.ms} (10000), {@code retry.backoff.ms} (unused; accepted for symmetry).
 */
public final class YakAdmin implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(YakAdmin.class);
    /** {@code replicationFactor} of {@link #createTopic(String, int, int, Map)} for the coordinator's default. */
    public static final int DEFAULT_REPLICATION_FACTOR = CreateTopicRequest.DEFAULT_REPLICATION_FACTOR;

    private final CommonConfig config;
    private final NetworkClient network;
    private final Connection coordinator;

    /** Creates an admin client from the keys in the class comment; unknown keys throw IllegalArgumentException. */
    public YakAdmin(Properties props) {
        CommonConfig[] c = new CommonConfig[1];
        CommonConfig.parse(props, "admin config", r -> c[0] = CommonConfig.read(r, "admin"));
        this.config = c[0];
        this.network = ClientNetwork.create(config);
        this.coordinator = network.connection(config.coordinator());
    }

    /** An admin client for the coordinator at {@code host:port}, with default settings. */
    public static YakAdmin connect(String hostPort) {
        Properties p = new Properties();
        p.setProperty("coordinator", HostPort.parse(hostPort).toString());
        return new YakAdmin(p);
    }

    public HostPort coordinator() {
        return config.coordinator();
    }

    /**
     * Creates a topic without per-topic configs (the brokers' defaults apply) with the coordinator's
     * {@code default.replication.factor}; {@code partitions} -1 takes the coordinator's num.partitions.
     *
     * @return the topic as created
     * @throws YakException TOPIC_ALREADY_EXISTS, INVALID_TOPIC, INVALID_REPLICATION_FACTOR, NO_LIVE_BROKERS, ...
     */
    public TopicInfo createTopic(String name, int partitions) {
        return createTopic(name, partitions, DEFAULT_REPLICATION_FACTOR, Map.of());
    }

    /**
     * Creates a topic with per-topic configs and the coordinator's {@code default.replication.factor}. See
     * {@link #createTopic(String, int, int, Map)}.
     */
    public TopicInfo createTopic(String name, int partitions, Map<String, String> configs) {
        return createTopic(name, partitions, DEFAULT_REPLICATION_FACTOR, configs);
    }

    /**
     * Creates a topic with {@code replicationFactor} copies of each partition on distinct brokers (the first
     * replica is the partition's preferred leader) and per-topic configs; {@code partitions} -1 takes the
     * coordinator's num.partitions, {@code replicationFactor} {@link #DEFAULT_REPLICATION_FACTOR} (-1) its
     * {@code default.replication.factor}. Allowed config keys and ranges are those of {@link TopicConfigs}
     * ({@code retention.ms}, {@code retention.bytes}, {@code segment.bytes}, {@code segment.ms},
     * {@code flush.messages}, {@code flush.ms}, {@code min.insync.replicas}); values are decimal integers. The
     * coordinator checks everything first: nothing is created when something is bad. A key left out takes the
     * brokers' default.
     *
     * @param replicationFactor 1..32767, or -1 for the coordinator's default
     * @param configs per-topic configs, e.g. {@code Map.of(TopicConfigs.RETENTION_MS, "86400000")}; may be empty
     * @return the topic as created, its {@link TopicInfo#configs()} included
     * @throws IllegalArgumentException for a replication factor outside 1..32767 other than -1
     * @throws YakException INVALID_REPLICATION_FACTOR (more replicas than brokers that can take the topic; the
     *     message is the coordinator's), INVALID_CONFIG (the message names the key and value),
     *     TOPIC_ALREADY_EXISTS, INVALID_TOPIC, NO_LIVE_BROKERS, ...
     */
    public TopicInfo createTopic(String name, int partitions, int replicationFactor, Map<String, String> configs) {
        if (replicationFactor != DEFAULT_REPLICATION_FACTOR && (replicationFactor < 1
                || replicationFactor > Short.MAX_VALUE)) {
            throw new IllegalArgumentException("replication factor " + replicationFactor + " must be 1.."
                + Short.MAX_VALUE + " or -1 for the coordinator's default.replication.factor");
        }
        CreateTopicResponse r = (CreateTopicResponse) call(new CreateTopicRequest(name, partitions,
            (short) replicationFactor, configs), "create topic");
        if (r.error() != ErrorCode.NONE) {
            throw new YakException(r.error(),
                "cannot create topic '" + name + "': " + describe(r.error(), r.message()));
        }
        TopicInfo t = r.metadata().topic(name);
        return t != null ? t : new TopicInfo(name, List.of(), configs);
    }

    /** Names of all topics, sorted. */
    public List<String> listTopics() {
        List<String> names = new ArrayList<>();
        for (TopicInfo t : describeCluster().topics()) {
            names.add(t.name());
        }
        names.sort(null);
        return names;
    }

    /**
     * One topic's partitions (leader, leader epoch, replicas, in-sync replicas) and its per-topic configs
     * ({@link TopicInfo#configs()}, empty when it was created without any).
     *
     * @throws YakException UNKNOWN_TOPIC when it does not exist
     */
    public TopicInfo describeTopic(String name) {
        return topicMetadata(name).topic(name);
    }

    /** The cluster view as the coordinator answers a METADATA for {@code name}; UNKNOWN_TOPIC when it lacks it. */
    private ClusterMetadata topicMetadata(String name) {
        MetadataResponse r = (MetadataResponse) call(new MetadataRequest(false, List.of(name)), "describe topic");
        if (r.metadata().topic(name) == null) {
            ErrorCode code = r.error() == ErrorCode.NONE ? ErrorCode.UNKNOWN_TOPIC : r.error();
            throw new YakException(code, "unknown topic '" + name + "'");
        }
        return r.metadata();
    }

    /**
     * The high watermark of each partition of {@code topic} that has a leader: the offset below which every record
     * is on every in-sync replica, which consumers read up to. Asks each leader (LIST_OFFSETS "latest", answered
     * with the high watermark), all at once, waiting up to {@code request.timeout.ms} in all. It asks once and does
     * not retry, so it names no leader epoch ({@link ListOffsetsRequest#NO_LEADER_EPOCH}): a leader that has not
     * learned the epoch of this fresh view yet still answers instead of being left out.
     *
     * @return partition to high watermark; offline partitions and partitions whose leader did not answer with one
     *     (an error, a lost connection, the timeout) are left out
     * @throws YakException UNKNOWN_TOPIC when the topic does not exist, or when the coordinator cannot be asked
     */
    public Map<Integer, Long> highWatermarks(String topic) {
        return listOffsets(topic, ListOffsetsRequest.LATEST);
    }

    /** The log start offset of each partition of {@code topic} that has a leader; see {@link #highWatermarks}. */
    public Map<Integer, Long> logStartOffsets(String topic) {
        return listOffsets(topic, ListOffsetsRequest.EARLIEST);
    }

    /**
     * LIST_OFFSETS at each partition's leader for {@code timestamp} ({@link ListOffsetsRequest#EARLIEST},
     * {@link ListOffsetsRequest#LATEST} or a time in ms), as {@link #highWatermarks} describes.
     */
    private Map<Integer, Long> listOffsets(String topic, long timestamp) {
        ClusterMetadata m = topicMetadata(topic);
        long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(config.requestTimeoutMs());
        Map<Integer, CompletableFuture<Message>> asked = new TreeMap<>();
        for (PartitionInfo p : m.topic(topic).partitions()) {
            BrokerInfo leader = p.online() ? m.broker(p.leader()) : null;
            if (leader != null) {
                asked.put(p.partition(), network.connection(new HostPort(leader.host(), leader.port())).send(
                    new ListOffsetsRequest(topic, p.partition(), ListOffsetsRequest.NO_LEADER_EPOCH,
                        timestamp)));
            }
        }
        Map<Integer, Long> out = new TreeMap<>();
        for (Map.Entry<Integer, CompletableFuture<Message>> e : asked.entrySet()) {
            try {
                long leftNs = Math.max(0, deadlineNs - System.nanoTime());
                ListOffsetsResponse lo = (ListOffsetsResponse) e.getValue().get(leftNs, TimeUnit.NANOSECONDS);
                if (lo.error() == ErrorCode.NONE && lo.offset() >= 0) {
                    out.put(e.getKey(), lo.offset());
                }
            } catch (ExecutionException | TimeoutException ex) {
                LOG.debug("high watermark of {}-{} unknown: {}", LogText.safe(topic), e.getKey(),
                    LogText.safe(String.valueOf(ex.getCause() != null ? ex.getCause() : ex)));
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                throw new YakException(ErrorCode.REQUEST_TIMED_OUT, "interrupted while asking for high watermarks",
                    ex);
            }
        }
        return out;
    }

    /**
     * Deletes a topic: the coordinator removes it and the committed offsets of its partitions (answered once that is
     * durable); each broker deletes its partitions' files once it learns of it. Producers and consumers of it get
     * {@code UNKNOWN_TOPIC}. A topic created again under the name starts empty at offset 0.
     *
     * @throws YakException UNKNOWN_TOPIC, INVALID_TOPIC, STORAGE_ERROR
     */
    public void deleteTopic(String name) {
        DeleteTopicResponse r = (DeleteTopicResponse) call(new DeleteTopicRequest(name), "delete topic");
        if (r.error() != ErrorCode.NONE) {
            throw new YakException(r.error(), "cannot delete topic '" + name + "': " + describe(r.error(),
                r.message()));
        }
    }

    /**
     * Grows a topic to {@code partitions} partitions, placed as at creation with the topic's replication factor.
     * Keyed records map to partitions by hash of the key, so keys move to other partitions; consumer groups
     * subscribed to the topic rebalance.
     *
     * @throws YakException INVALID_REQUEST (not more than now; the message says how many it has), UNKNOWN_TOPIC,
     *     INVALID_REPLICATION_FACTOR, NO_LIVE_BROKERS
     */
    public void createPartitions(String topic, int partitions) {
        CreatePartitionsResponse r = (CreatePartitionsResponse) call(new CreatePartitionsRequest(topic, partitions),
            "create partitions");
        if (r.error() != ErrorCode.NONE) {
            throw new YakException(r.error(), "cannot change the partition count of topic '" + topic + "': "
                + describe(r.error(), r.message()));
        }
    }

    /**
     * Sets {@code set} and removes {@code deleted} from a topic's own configs (keys and ranges of
     * {@link TopicConfigs}, checked as at creation: nothing changes when one is bad); the brokers apply the new
     * values to the topic's partitions without a restart.
     *
     * @throws YakException INVALID_CONFIG (the message names the key and value), UNKNOWN_TOPIC, INVALID_REQUEST
     */
    public void alterTopicConfigs(String topic, Map<String, String> set, List<String> deleted) {
        AlterTopicConfigsResponse r = (AlterTopicConfigsResponse) call(new AlterTopicConfigsRequest(topic, set,
            deleted), "alter topic configs");
        if (r.error() != ErrorCode.NONE) {
            throw new YakException(r.error(), "cannot change the configs of topic '" + topic + "': "
                + describe(r.error(), r.message()));
        }
    }

    /** Every consumer group the coordinator knows (with members, or with committed offsets only), sorted by id. */
    public List<ListedGroup> listGroups() {
        ListGroupsResponse r = (ListGroupsResponse) call(new ListGroupsRequest(List.of()), "list groups");
        if (r.error() != ErrorCode.NONE) {
            throw new YakException(r.error(), "list groups failed: " + r.error());
        }
        return r.groups();
    }

    /**
     * A group's state, members (with their partitions, decoded from the consumer protocol) and committed offsets.
     *
     * @throws YakException GROUP_ID_NOT_FOUND when the coordinator has neither members nor offsets of it
     */
    public GroupDescription describeGroup(String group) {
        DescribeGroupResponse r = (DescribeGroupResponse) call(new DescribeGroupRequest(group), "describe group");
        if (r.error() == ErrorCode.GROUP_ID_NOT_FOUND) {
            throw new YakException(r.error(), "consumer group '" + group + "' does not exist");
        }
        if (r.error() != ErrorCode.NONE) {
            throw new YakException(r.error(), "cannot describe group '" + group + "': " + r.error());
        }
        List<GroupDescription.Member> members = new ArrayList<>(r.members().size());
        for (DescribedMember m : r.members()) {
            members.add(new GroupDescription.Member(m.memberId(), m.groupInstanceId(), m.clientId(), m.host(),
                "consumer".equals(r.protocolType()) ? decodeAssignment(m.assignment()) : List.of()));
        }
        Map<TopicPartition, Long> offsets = new HashMap<>();
        for (GroupOffset o : r.offsets()) {
            offsets.put(new TopicPartition(o.topic(), o.partition()), o.offset());
        }
        return new GroupDescription(r.group(), r.state(), r.protocolType(), r.protocol(), r.generation(), r.leader(),
            members, offsets);
    }

    /**
     * Deletes a group's committed offsets (durably), as Kafka's {@code --delete}.
     *
     * @throws YakException NON_EMPTY_GROUP while it has members, GROUP_ID_NOT_FOUND when it does not exist
     */
    public void deleteGroup(String group) {
        DeleteGroupResponse r = (DeleteGroupResponse) call(new DeleteGroupRequest(group), "delete group");
        if (r.error() != ErrorCode.NONE) {
            throw new YakException(r.error(), "cannot delete group '" + group + "': " + describe(r.error(),
                r.message()));
        }
    }

    /**
     * What resetting {@code group}'s offsets of {@code topic} to {@code spec} would commit, per partition, clamped to
     * [log start, log end] (asked from each partition's leader). Changes nothing.
     *
     * @throws YakException UNKNOWN_TOPIC; PARTITION_OFFLINE (retriable) when a partition's offsets cannot be read
     */
    public List<OffsetReset> planOffsetReset(String group, String topic, ResetSpec spec) {
        TopicInfo t = describeTopic(topic);
        Map<Integer, Long> starts = listOffsets(topic, ListOffsetsRequest.EARLIEST);
        Map<Integer, Long> ends = listOffsets(topic, ListOffsetsRequest.LATEST);
        Map<Integer, Long> atTime = spec.kind() == ResetSpec.Kind.DATETIME ? listOffsets(topic, spec.value())
            : Map.of();
        Map<TopicPartition, Long> committed = committedOffsetsOrNone(group);
        List<OffsetReset> plan = new ArrayList<>(t.partitionCount());
        for (PartitionInfo p : t.partitions()) {
            Long start = starts.get(p.partition());
            Long end = ends.get(p.partition());
            if (start == null || end == null) {
                throw new YakException(ErrorCode.PARTITION_OFFLINE, "cannot read the offsets of " + topic + "-"
                    + p.partition() + " from its leader: is it offline?");
            }
            TopicPartition tp = new TopicPartition(topic, p.partition());
            long current = committed.getOrDefault(tp, -1L);
            long target = switch (spec.kind()) {
                case EARLIEST -> start;
                case LATEST -> end;
                case DATETIME -> atTime.getOrDefault(p.partition(), end);
                case OFFSET -> spec.value();
                case SHIFT_BY -> (current < 0 ? start : current) + spec.value();
            };
            plan.add(new OffsetReset(tp, current, Math.max(start, Math.min(end, target))));
        }
        return plan;
    }

    /**
     * Commits {@code plan} for {@code group} from outside the group protocol (generation -1, no member id), which
     * the coordinator takes only while the group has no members.
     *
     * @throws YakException the coordinator's refusal, e.g. UNKNOWN_MEMBER_ID or REBALANCE_IN_PROGRESS when members
     *     joined meanwhile; the partitions before it are committed
     */
    public void commitOffsets(String group, List<OffsetReset> plan) {
        for (OffsetReset o : plan) {
            CommitOffsetResponse r = (CommitOffsetResponse) call(new CommitOffsetRequest(group,
                o.partition().topic(), o.partition().partition(), o.newOffset(), -1, "", null), "commit offset");
            if (r.error() != ErrorCode.NONE) {
                throw new YakException(r.error(), "cannot commit offset " + o.newOffset() + " of " + o.partition()
                    + " for group '" + group + "': " + r.error());
            }
        }
    }

    private Map<TopicPartition, Long> committedOffsetsOrNone(String group) {
        try {
            return describeGroup(group).committedOffsets();
        } catch (YakException e) {
            if (e.errorCode() == ErrorCode.GROUP_ID_NOT_FOUND) {
                return Map.of();
            }
            throw e;
        }
    }

    /** A member's assignment in the consumer protocol; empty for empty or foreign bytes. */
    static List<TopicPartition> decodeAssignment(byte[] bytes) {
        try {
            return ConsumerProtocol.decodeAssignment(bytes);
        } catch (WireException | IllegalArgumentException e) {
            LOG.debug("assignment of {} bytes is not the consumer protocol's: {}", bytes.length, e.toString());
            return List.of();
        }
    }

    /** Brokers (with liveness), epoch and every topic. */
    public ClusterMetadata describeCluster() {
        MetadataResponse r = (MetadataResponse) call(new MetadataRequest(false, List.of()), "describe cluster");
        if (r.error() != ErrorCode.NONE) {
            throw new YakException(r.error(), "describe cluster failed: " + describe(r.error(), r.message()));
        }
        return r.metadata();
    }

    private Message call(Message request, String what) {
        CompletableFuture<Message> f = coordinator.send(request);
        try {
            return f.get(config.requestTimeoutMs() + 1000L, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof YakException ye) {
                throw ye;
            }
            throw new YakException(ErrorCode.UNKNOWN_SERVER_ERROR, what + " failed: " + c, c);
        } catch (TimeoutException e) {
            throw new YakException(ErrorCode.REQUEST_TIMED_OUT, what + " timed out after "
                + config.requestTimeoutMs() + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new YakException(ErrorCode.REQUEST_TIMED_OUT, "interrupted during " + what, e);
        }
    }

    private static String describe(ErrorCode code, String message) {
        return message == null || message.isEmpty() ? code.toString() : message + " (" + code + ")";
    }

    @Override
    public void close() {
        network.close();
    }
}
