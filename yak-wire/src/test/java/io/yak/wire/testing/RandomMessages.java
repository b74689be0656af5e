package io.yak.wire.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.yak.wire.ErrorCode;
import io.yak.wire.MessageType;
import io.yak.wire.config.TopicConfigs;
import io.yak.wire.message.BrokerInfo;
import io.yak.wire.message.ClusterMetadata;
import io.yak.wire.message.CommitOffsetRequest;
import io.yak.wire.message.CommitOffsetResponse;
import io.yak.wire.message.ConsumeRequest;
import io.yak.wire.message.ConsumeResponse;
import io.yak.wire.message.CreateTopicRequest;
import io.yak.wire.message.CreateTopicResponse;
import io.yak.wire.message.ErrorResponse;
import io.yak.wire.message.FetchOffsetRequest;
import io.yak.wire.message.FetchOffsetResponse;
import io.yak.wire.message.GroupAssignment;
import io.yak.wire.message.GroupHeartbeatRequest;
import io.yak.wire.message.GroupHeartbeatResponse;
import io.yak.wire.message.GroupProtocol;
import io.yak.wire.message.JoinGroupMember;
import io.yak.wire.message.JoinGroupRequest;
import io.yak.wire.message.JoinGroupResponse;
import io.yak.wire.message.AlterTopicConfigsRequest;
import io.yak.wire.message.AlterTopicConfigsResponse;
import io.yak.wire.message.BrokerStatsRequest;
import io.yak.wire.message.BrokerStatsResponse;
import io.yak.wire.message.PartitionStats;
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
import io.yak.wire.message.LeaveGroupRequest;
import io.yak.wire.message.LeaveGroupResponse;
import io.yak.wire.message.SyncGroupRequest;
import io.yak.wire.message.SyncGroupResponse;
import io.yak.wire.message.Frame;
import io.yak.wire.message.BrokerShutdownRequest;
import io.yak.wire.message.BrokerShutdownResponse;
import io.yak.wire.message.HeartbeatRequest;
import io.yak.wire.message.HeartbeatResponse;
import io.yak.wire.message.LeaderInfo;
import io.yak.wire.message.LeaderInfoDelta;
import io.yak.wire.message.ListOffsetsRequest;
import io.yak.wire.message.ListOffsetsResponse;
import io.yak.wire.message.Message;
import io.yak.wire.message.MetadataRequest;
import io.yak.wire.message.MetadataResponse;
import io.yak.wire.message.PartitionChange;
import io.yak.wire.message.PartitionInfo;
import io.yak.wire.message.PartitionRef;
import io.yak.wire.message.PublishRequest;
import io.yak.wire.message.PublishResponse;
import io.yak.wire.message.RegisterBrokerRequest;
import io.yak.wire.message.RegisterBrokerResponse;
import io.yak.wire.message.RegisterConsumerRequest;
import io.yak.wire.message.RegisterConsumerResponse;
import io.yak.wire.message.RegisterProducerRequest;
import io.yak.wire.message.RegisterProducerResponse;
import io.yak.wire.message.TopicInfo;
import io.yak.wire.message.AlterIsrPartition;
import io.yak.wire.message.AlterIsrRequest;
import io.yak.wire.message.AlterIsrResponse;
import io.yak.wire.message.AlterIsrResult;
import io.yak.wire.message.ReplicaFetchPartition;
import io.yak.wire.message.ReplicaFetchPartitionData;
import io.yak.wire.message.ReplicaFetchRequest;
import io.yak.wire.message.ReplicaFetchResponse;
import io.yak.wire.record.RecordBatchBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.Random;

/**
 * Random but valid messages for property tests: edge values mixed with random ones, unicode strings, nulls where
 * the wire allows them, metadata with brokers, topics and partitions. Payload messages own a pooled buffer; the
 * caller releases the frame.
 */
public final class RandomMessages {
    private final Random r;
    private final boolean compact;

    public RandomMessages(Random random) {
        this(random, false);
    }

    /** With {@code compact}, messages stay small (short strings, no large metadata, payloads below 512 bytes). */
    public RandomMessages(Random random, boolean compact) {
        this.r = random;
        this.compact = compact;
    }

    public Random random() {
        return r;
    }

    public Frame frame(MessageType type) {
        return new Frame(MessageType.VERSION_1, anyInt(), message(type));
    }

    public Frame frame() {
        MessageType[] types = MessageType.values();
        return frame(types[r.nextInt(types.length)]);
    }

    public Message message(MessageType type) {
        return switch (type) {
            case REGISTER_BROKER_REQUEST -> new RegisterBrokerRequest(anyInt(), string(), anyInt(), anyLong(),
                r.nextBoolean());
            case REGISTER_BROKER_RESPONSE -> new RegisterBrokerResponse(error(), anyLong(), metadata());
            case HEARTBEAT_REQUEST -> new HeartbeatRequest(anyInt(), partitionRefs());
            case HEARTBEAT_RESPONSE -> new HeartbeatResponse(error(), anyLong());
            case LEADER_INFO -> new LeaderInfo(metadata());
            case REGISTER_PRODUCER_REQUEST -> new RegisterProducerRequest(string());
            case REGISTER_PRODUCER_RESPONSE -> new RegisterProducerResponse(error(), anyLong(), metadata());
            case REGISTER_CONSUMER_REQUEST -> new RegisterConsumerRequest(string(), nullableString());
            case REGISTER_CONSUMER_RESPONSE -> new RegisterConsumerResponse(error(), metadata());
            case CREATE_TOPIC_REQUEST -> new CreateTopicRequest(string(), anyInt(), (short) anyInt(), configs(6));
            case CREATE_TOPIC_RESPONSE -> new CreateTopicResponse(error(), nullableString(), metadata());
            case METADATA_REQUEST -> new MetadataRequest(r.nextBoolean(), strings());
            case METADATA_RESPONSE -> new MetadataResponse(error(), nullableString(), metadata());
            case PUBLISH_REQUEST -> new PublishRequest(string(), anyInt(), (short) anyInt(), anyInt(), records());
            case PUBLISH_RESPONSE -> new PublishResponse(error(), anyLong(), anyLong(), anyLong());
            case CONSUME_REQUEST -> new ConsumeRequest(string(), anyInt(), anyInt(), anyLong(), anyInt(), anyInt());
            case CONSUME_RESPONSE -> new ConsumeResponse(error(), anyLong(), anyLong(), anyLong(), records());
            case LIST_OFFSETS_REQUEST -> new ListOffsetsRequest(string(), anyInt(), anyInt(), anyLong());
            case LIST_OFFSETS_RESPONSE -> new ListOffsetsResponse(error(), anyLong(), anyLong());
            case COMMIT_OFFSET_REQUEST -> new CommitOffsetRequest(string(), string(), anyInt(), anyLong(), anyInt(),
                string(), nullableString());
            case COMMIT_OFFSET_RESPONSE -> new CommitOffsetResponse(error());
            case FETCH_OFFSET_REQUEST -> new FetchOffsetRequest(string(), string(), anyInt());
            case FETCH_OFFSET_RESPONSE -> new FetchOffsetResponse(error(), anyLong());
            case ERROR_RESPONSE -> new ErrorResponse(error(), nullableString());
            case BROKER_SHUTDOWN_REQUEST -> new BrokerShutdownRequest(anyInt());
            case BROKER_SHUTDOWN_RESPONSE -> new BrokerShutdownResponse(error(), anyLong());
            case REPLICA_FETCH_REQUEST -> replicaFetchRequest();
            case REPLICA_FETCH_RESPONSE -> replicaFetchResponse();
            case ALTER_ISR_REQUEST -> alterIsrRequest();
            case ALTER_ISR_RESPONSE -> alterIsrResponse();
            case LEADER_INFO_DELTA -> leaderInfoDelta();
            case JOIN_GROUP_REQUEST -> new JoinGroupRequest(string(), anyInt(), anyInt(), string(), nullableString(),
                string(), string(), list(() -> new GroupProtocol(string(), bytes())));
            case JOIN_GROUP_RESPONSE -> new JoinGroupResponse(error(), anyInt(), nullableString(), nullableString(),
                string(), list(() -> new JoinGroupMember(string(), nullableString(), bytes())));
            case SYNC_GROUP_REQUEST -> new SyncGroupRequest(string(), anyInt(), string(), nullableString(),
                list(() -> new GroupAssignment(string(), bytes())));
            case SYNC_GROUP_RESPONSE -> new SyncGroupResponse(error(), bytes());
            case GROUP_HEARTBEAT_REQUEST -> new GroupHeartbeatRequest(string(), anyInt(), string(), nullableString());
            case GROUP_HEARTBEAT_RESPONSE -> new GroupHeartbeatResponse(error());
            case LEAVE_GROUP_REQUEST -> new LeaveGroupRequest(string(), string(), nullableString());
            case LEAVE_GROUP_RESPONSE -> new LeaveGroupResponse(error());
            case LIST_GROUPS_REQUEST -> new ListGroupsRequest(list(this::string));
            case LIST_GROUPS_RESPONSE -> new ListGroupsResponse(error(),
                list(() -> new ListedGroup(string(), string(), anyInt())));
            case DESCRIBE_GROUP_REQUEST -> new DescribeGroupRequest(string());
            case DESCRIBE_GROUP_RESPONSE -> new DescribeGroupResponse(error(), string(), string(), nullableString(),
                nullableString(), anyInt(), nullableString(),
                list(() -> new DescribedMember(string(), nullableString(), string(), string(), bytes())),
                list(() -> new GroupOffset(string(), anyInt(), anyLong())));
            case DELETE_GROUP_REQUEST -> new DeleteGroupRequest(string());
            case DELETE_GROUP_RESPONSE -> new DeleteGroupResponse(error(), nullableString());
            case DELETE_TOPIC_REQUEST -> new DeleteTopicRequest(string());
            case DELETE_TOPIC_RESPONSE -> new DeleteTopicResponse(error(), nullableString());
            case CREATE_PARTITIONS_REQUEST -> new CreatePartitionsRequest(string(), anyInt());
            case CREATE_PARTITIONS_RESPONSE -> new CreatePartitionsResponse(error(), nullableString());
            case ALTER_TOPIC_CONFIGS_REQUEST -> new AlterTopicConfigsRequest(string(), configs(6), list(this::string));
            case ALTER_TOPIC_CONFIGS_RESPONSE -> new AlterTopicConfigsResponse(error(), nullableString());
            case BROKER_STATS_REQUEST -> new BrokerStatsRequest(anyInt(), list(() -> new PartitionStats(string(),
                anyInt(), anyLong(), anyLong(), anyLong(), anyLong(), anyLong(), anyLong(), anyLong(), anyLong())));
            case BROKER_STATS_RESPONSE -> new BrokerStatsResponse(error());
        };
    }

    public int anyInt() {
        return switch (r.nextInt(8)) {
            case 0 -> 0;
            case 1 -> -1;
            case 2 -> Integer.MAX_VALUE;
            case 3 -> Integer.MIN_VALUE;
            case 4 -> r.nextInt(100);
            default -> r.nextInt();
        };
    }

    public long anyLong() {
        return switch (r.nextInt(8)) {
            case 0 -> 0L;
            case 1 -> -1L;
            case 2 -> Long.MAX_VALUE;
            case 3 -> Long.MIN_VALUE;
            case 4 -> r.nextInt(1000);
            default -> r.nextLong();
        };
    }

    public ErrorCode error() {
        ErrorCode[] all = ErrorCode.values();
        return all[r.nextInt(all.length)];
    }

    /** A non-null string: mostly short, sometimes empty or a few thousand code points, from all of Unicode. */
    public String string() {
        int roll = r.nextInt(100);
        int codePoints = roll < 10 ? 0 : roll < 70 || compact ? 1 + r.nextInt(16) : roll < 95 ? r.nextInt(200)
            : r.nextInt(3000);
        StringBuilder sb = new StringBuilder(codePoints);
        for (int i = 0; i < codePoints; i++) {
            sb.appendCodePoint(codePoint());
        }
        return sb.toString();
    }

    /** Opaque bytes: often empty, mostly short. */
    public byte[] bytes() {
        byte[] b = new byte[r.nextInt(4) == 0 ? 0 : r.nextInt(compact ? 32 : 300)];
        r.nextBytes(b);
        return b;
    }

    /** Up to a few elements (often none) made by {@code element}. */
    public <T> List<T> list(java.util.function.Supplier<T> element) {
        int n = r.nextInt(4) == 0 ? 0 : 1 + r.nextInt(compact ? 3 : 8);
        List<T> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(element.get());
        }
        return out;
    }

    public String nullableString() {
        return r.nextInt(4) == 0 ? null : string();
    }

    private int codePoint() {
        int roll = r.nextInt(100);
        if (roll < 40) {
            return 0x20 + r.nextInt(0x7f - 0x20);
        }
        if (roll < 50) {
            return r.nextInt(0x20);
        }
        if (roll < 65) {
            return 0x4e00 + r.nextInt(0x9fff - 0x4e00);
        }
        if (roll < 85) {
            return 0x10000 + r.nextInt(Character.MAX_CODE_POINT + 1 - 0x10000);
        }
        while (true) {
            int cp = 0x80 + r.nextInt(0x10000 - 0x80);
            if (cp < Character.MIN_SURROGATE || cp > Character.MAX_SURROGATE) {
                return cp;
            }
        }
    }

    public List<String> strings() {
        int n = r.nextInt(8) == 0 ? 0 : r.nextInt(12);
        List<String> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(string());
        }
        return out;
    }

    /**
     * Partition names as a heartbeat lists them: usually none (a healthy broker), else a few, with repeats,
     * negative or huge partition numbers and arbitrary topic strings (the wire carries any; the coordinator checks).
     */
    public List<PartitionRef> partitionRefs() {
        int n = r.nextInt(3) != 0 ? 0 : 1 + r.nextInt(compact ? 4 : 12);
        List<PartitionRef> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            if (i > 0 && r.nextInt(8) == 0) {
                out.add(out.get(r.nextInt(i)));
            } else {
                out.add(new PartitionRef(string(), r.nextBoolean() ? r.nextInt(16) : anyInt()));
            }
        }
        return out;
    }

    /**
     * Up to {@code max} configs (often none): mostly real keys of {@link TopicConfigs} with random numbers, some
     * arbitrary strings (the wire carries any key; the coordinator validates).
     */
    public Map<String, String> configs(int max) {
        Map<String, String> out = new TreeMap<>();
        int n = r.nextInt(3) == 0 ? 0 : r.nextInt(max + 1);
        List<String> keys = new ArrayList<>(TopicConfigs.KEYS);
        for (int i = 0; i < n; i++) {
            if (r.nextBoolean()) {
                out.put(keys.get(r.nextInt(keys.size())), Long.toString(anyLong()));
            } else {
                out.put(string(), string());
            }
        }
        return out;
    }

    public ClusterMetadata metadata() {
        boolean large = !compact && r.nextInt(20) == 0;
        List<BrokerInfo> brokers = brokers(large ? 50 + r.nextInt(50) : r.nextInt(6));
        int topicCount = large ? 100 + r.nextInt(100) : r.nextInt(5);
        List<TopicInfo> topics = new ArrayList<>(topicCount);
        for (int t = 0; t < topicCount; t++) {
            topics.add(topic(brokers, r.nextInt(large ? 20 : 9), large ? 2 : 5));
        }
        return new ClusterMetadata(anyLong(), brokers, topics);
    }

    /**
     * A delta as the wire allows it (0 <= base epoch < epoch), its parts unrelated to any view: some brokers, removed
     * ids, new topics and partition changes, each list often empty.
     */
    public LeaderInfoDelta leaderInfoDelta() {
        long baseEpoch = switch (r.nextInt(4)) {
            case 0 -> 0L;
            case 1 -> Long.MAX_VALUE - 1;
            case 2 -> r.nextInt(1000);
            default -> r.nextLong() >>> 2;
        };
        long epoch = baseEpoch + 1 + (r.nextBoolean() ? 0 : (r.nextLong() >>> 1) % (Long.MAX_VALUE - baseEpoch));
        List<BrokerInfo> brokers = brokers(r.nextInt(3) == 0 ? 0 : r.nextInt(4));
        List<TopicInfo> newTopics = new ArrayList<>();
        for (int t = r.nextInt(3) == 0 ? r.nextInt(3) : 0; t > 0; t--) {
            newTopics.add(topic(brokers, r.nextInt(5), 3));
        }
        int changes = r.nextInt(compact ? 3 : 8);
        List<PartitionChange> partitions = new ArrayList<>(changes);
        for (int i = 0; i < changes; i++) {
            List<Integer> replicas = brokerIds(brokers);
            partitions.add(new PartitionChange(string(), new PartitionInfo(r.nextBoolean() ? r.nextInt(16)
                : Math.max(0, anyInt()), r.nextInt(4) == 0 ? PartitionInfo.NO_LEADER : replicas.get(0), anyInt(),
                anyInt(), replicas, replicas.subList(0, r.nextInt(replicas.size() + 1)), ids())));
        }
        return new LeaderInfoDelta(baseEpoch, epoch, brokers, ids(), newTopics, partitions,
            r.nextInt(3) == 0 ? list(this::string) : List.of());
    }

    private List<BrokerInfo> brokers(int count) {
        List<BrokerInfo> brokers = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            brokers.add(new BrokerInfo(r.nextBoolean() ? i : anyInt(), string(), r.nextInt(65536), r.nextBoolean(),
                anyLong()));
        }
        return brokers;
    }

    private TopicInfo topic(List<BrokerInfo> brokers, int partitionCount, int maxConfigs) {
        List<PartitionInfo> partitions = new ArrayList<>(partitionCount);
        for (int p = 0; p < partitionCount; p++) {
            List<Integer> replicas = brokerIds(brokers);
            List<Integer> isr = replicas.subList(0, r.nextInt(replicas.size() + 1));
            int leader = r.nextInt(4) == 0 || isr.isEmpty() ? PartitionInfo.NO_LEADER : isr.get(0);
            partitions.add(new PartitionInfo(p, leader, r.nextInt(4) == 0 ? anyInt() : r.nextInt(10),
                r.nextInt(4) == 0 ? anyInt() : r.nextInt(30), replicas, isr));
        }
        return new TopicInfo(string(), partitions, configs(maxConfigs), r.nextBoolean() ? r.nextInt(100) : anyLong());
    }

    /** One to three broker ids, from {@code brokers} when there are any. */
    private List<Integer> brokerIds(List<BrokerInfo> brokers) {
        int n = 1 + r.nextInt(3);
        List<Integer> ids = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            ids.add(brokers.isEmpty() ? r.nextInt(10) : brokers.get(r.nextInt(brokers.size())).id());
        }
        return ids;
    }

    private List<Integer> ids() {
        int n = r.nextInt(4);
        List<Integer> ids = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            ids.add(r.nextBoolean() ? r.nextInt(5) : anyInt());
        }
        return ids;
    }

    public ReplicaFetchRequest replicaFetchRequest() {
        int n = r.nextInt(compact ? 3 : 8);
        List<ReplicaFetchPartition> ps = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            ps.add(new ReplicaFetchPartition(string(), anyInt(), anyInt(), anyLong(), anyInt(), anyInt()));
        }
        return new ReplicaFetchRequest(anyInt(), anyLong(), anyInt(), anyInt(), ps);
    }

    /** A response whose partitions share one pooled payload, split at random. */
    public ReplicaFetchResponse replicaFetchResponse() {
        ByteBuf records = records();
        int n = r.nextInt(compact ? 3 : 8);
        List<ReplicaFetchPartitionData> ps = new ArrayList<>(n);
        int left = records.readableBytes();
        for (int i = 0; i < n; i++) {
            int length = i == n - 1 ? left : r.nextInt(left + 1);
            left -= length;
            ps.add(new ReplicaFetchPartitionData(string(), anyInt(), error(), anyLong(), anyLong(), anyLong(),
                anyInt(), anyLong(), length));
        }
        if (n == 0) {
            records.clear();
        }
        return new ReplicaFetchResponse(error(), ps, records);
    }

    public AlterIsrRequest alterIsrRequest() {
        int n = r.nextInt(compact ? 3 : 8);
        List<AlterIsrPartition> ps = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            ps.add(new AlterIsrPartition(string(), anyInt(), anyInt(), anyInt(), ids()));
        }
        return new AlterIsrRequest(anyInt(), anyLong(), ps);
    }

    public AlterIsrResponse alterIsrResponse() {
        int n = r.nextInt(compact ? 3 : 8);
        List<AlterIsrResult> ps = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            ps.add(new AlterIsrResult(string(), anyInt(), error(), anyInt(), anyInt(), anyInt(), ids()));
        }
        return new AlterIsrResponse(error(), ps);
    }

    /** A pooled payload buffer owned by the caller: empty, real record batches, or arbitrary bytes. */
    public ByteBuf records() {
        ByteBuf buf = r.nextBoolean() ? ByteBufAllocator.DEFAULT.heapBuffer() : ByteBufAllocator.DEFAULT.directBuffer();
        int roll = r.nextInt(10);
        if (roll < 2) {
            return buf;
        }
        if (roll < 7 && !compact) {
            RecordBatchBuilder builder = new RecordBatchBuilder();
            int batches = 1 + r.nextInt(3);
            for (int b = 0; b < batches; b++) {
                long base = r.nextLong() >>> 20;
                builder.begin(buf, base, r.nextBoolean() ? -1L : anyLong(), (short) -1, -1);
                int records = 1 + r.nextInt(10);
                for (int i = 0; i < records; i++) {
                    builder.append(base + r.nextInt(1000) - 100, bytesOrNull(64), bytesOrNull(512));
                }
                builder.finish();
            }
            return buf;
        }
        byte[] bytes = new byte[1 + r.nextInt(compact ? 512 : 4096)];
        r.nextBytes(bytes);
        return buf.writeBytes(bytes);
    }

    /** Random bytes of a random length below {@code max}, sometimes empty, sometimes null. */
    public byte[] bytesOrNull(int max) {
        int roll = r.nextInt(10);
        if (roll == 0) {
            return null;
        }
        if (roll == 1) {
            return new byte[0];
        }
        byte[] out = new byte[r.nextInt(max)];
        r.nextBytes(out);
        return out;
    }
}
