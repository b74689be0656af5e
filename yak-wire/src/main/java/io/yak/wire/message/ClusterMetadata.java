package io.yak.wire.message;

import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.List;

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
