package io.yak.wire.message;

import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The coordinator's view of the cluster at one epoch: brokers, topics, partition leaders. The epoch grows by one
 * on every change, so a receiver keeps the newest view it has seen and ignores older ones.
 */
public record ClusterMetadata(long epoch, List<BrokerInfo> brokers, List<TopicInfo> topics) {
    public static final ClusterMetadata EMPTY = new ClusterMetadata(0, List.of(), List.of());

    public ClusterMetadata {
        brokers = List.copyOf(brokers);
        topics = List.copyOf(topics);
    }

    public TopicInfo topic(String name) {
        for (TopicInfo t : topics) {
            if (t.name().equals(name)) {
                return t;
            }
        }
        return null;
    }

    public BrokerInfo broker(int id) {
        for (BrokerInfo b : brokers) {
            if (b.id() == id) {
                return b;
            }
        }
        return null;
    }

    /**
     * The view {@code delta} leads to from this one, listing brokers by id and topics by name as the coordinator's
     * whole views do. Null when the delta does not start from this view (its base epoch is another: a push was
     * missed) or changes a partition this view lacks: the receiver then asks for the whole view. See
     * {@code WIRE.md}, section "LEADER_INFO_DELTA", for the order the parts apply in.
     */
    public ClusterMetadata apply(LeaderInfoDelta delta) {
        if (delta.baseEpoch() != epoch) {
            return null;
        }
        TreeMap<Integer, BrokerInfo> nextBrokers = new TreeMap<>();
        for (BrokerInfo b : brokers) {
            nextBrokers.put(b.id(), b);
        }
        for (int id : delta.removedBrokers()) {
            nextBrokers.remove(id);
        }
        for (BrokerInfo b : delta.brokers()) {
            nextBrokers.put(b.id(), b);
        }
        TreeMap<String, TopicInfo> nextTopics = new TreeMap<>();
        for (TopicInfo t : topics) {
            nextTopics.put(t.name(), t);
        }
        for (String name : delta.deletedTopics()) {
            nextTopics.remove(name);
        }
        for (TopicInfo t : delta.newTopics()) {
            nextTopics.put(t.name(), t);
        }
        Map<String, List<PartitionInfo>> changedTopics = new HashMap<>();
        for (PartitionChange change : delta.partitions()) {
            TopicInfo t = nextTopics.get(change.topic());
            int p = change.partition().partition();
            if (t == null || t.partition(p) == null) {
                return null;
            }
            changedTopics.computeIfAbsent(t.name(), name -> new ArrayList<>(t.partitions())).set(p, change.partition());
        }
        changedTopics.forEach((name, partitions) ->
            nextTopics.put(name, new TopicInfo(name, partitions, nextTopics.get(name).configs(),
                nextTopics.get(name).topicId())));
        return new ClusterMetadata(delta.epoch(), new ArrayList<>(nextBrokers.values()),
            new ArrayList<>(nextTopics.values()));
    }

    public static ClusterMetadata read(ByteBuf in) {
        long epoch = Codec.readLong(in, "epoch");
        int nb = Codec.readCount(in, "broker_count");
        List<BrokerInfo> brokers = new ArrayList<>(nb);
        for (int i = 0; i < nb; i++) {
            brokers.add(BrokerInfo.read(in));
        }
        int nt = Codec.readCount(in, "topic_count");
        List<TopicInfo> topics = new ArrayList<>(nt);
        for (int i = 0; i < nt; i++) {
            topics.add(TopicInfo.read(in));
        }
        return new ClusterMetadata(epoch, brokers, topics);
    }

    public void write(ByteBuf out) {
        out.writeLong(epoch);
        out.writeInt(brokers.size());
        for (BrokerInfo b : brokers) {
            b.write(out);
        }
        out.writeInt(topics.size());
        for (TopicInfo t : topics) {
            t.write(out);
        }
    }
}
