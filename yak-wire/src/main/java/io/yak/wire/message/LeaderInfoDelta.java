package io.yak.wire.message;

import io.netty.buffer.ByteBuf;
import io.yak.wire.ErrorCode;
import io.yak.wire.MessageType;
import io.yak.wire.WireException;
import java.util.ArrayList;
import java.util.List;

/**
 * Pushed by the coordinator in place of a {@link LeaderInfo}: only what changed from the cluster view at
 * {@code baseEpoch} to the one at {@code epoch}, so one partition's move does not carry the whole cluster to every
 * peer. {@link ClusterMetadata#apply} turns it into the new view. See {@code WIRE.md}, section "LEADER_INFO_DELTA".
 * Immutable; the lists are unmodifiable.
 *
 * @param brokers        brokers added or changed, each replacing the one with its id
 * @param removedBrokers ids of brokers the coordinator forgot
 * @param newTopics      topics created or changed (partitions added, configs altered), whole
 * @param partitions     the new state of changed partitions (of existing or new topics)
 * @param deletedTopics  names of topics deleted (applied before {@code newTopics}, so a topic deleted and created
 *                       again in one delta is the new one)
 */
public record LeaderInfoDelta(long baseEpoch, long epoch, List<BrokerInfo> brokers, List<Integer> removedBrokers,
                              List<TopicInfo> newTopics, List<PartitionChange> partitions, List<String> deletedTopics)
        implements Message {
    /**
     * @throws IllegalArgumentException unless {@code 0 <= baseEpoch < epoch}: receivers would refuse the frame
     */
    public LeaderInfoDelta {
        if (!epochsValid(baseEpoch, epoch)) {
            throw new IllegalArgumentException(epochProblem(baseEpoch, epoch));
        }
        brokers = List.copyOf(brokers);
        removedBrokers = List.copyOf(removedBrokers);
        newTopics = List.copyOf(newTopics);
        partitions = List.copyOf(partitions);
        deletedTopics = List.copyOf(deletedTopics);
    }

    /** A delta that deletes no topic. */
    public LeaderInfoDelta(long baseEpoch, long epoch, List<BrokerInfo> brokers, List<Integer> removedBrokers,
                           List<TopicInfo> newTopics, List<PartitionChange> partitions) {
        this(baseEpoch, epoch, brokers, removedBrokers, newTopics, partitions, List.of());
    }

    @Override
    public MessageType type() {
        return MessageType.LEADER_INFO_DELTA;
    }

    @Override
    public void writeBody(ByteBuf out) {
        out.writeLong(baseEpoch);
        out.writeLong(epoch);
        out.writeInt(brokers.size());
        for (BrokerInfo b : brokers) {
            b.write(out);
        }
        PartitionInfo.writeIds(out, removedBrokers);
        out.writeInt(newTopics.size());
        for (TopicInfo t : newTopics) {
            t.write(out);
        }
        out.writeInt(partitions.size());
        for (PartitionChange p : partitions) {
            p.write(out);
        }
        out.writeInt(deletedTopics.size());
        for (String t : deletedTopics) {
            Codec.writeString(out, t);
        }
    }

    static LeaderInfoDelta read(ByteBuf in) {
        long baseEpoch = Codec.readLong(in, "base_epoch");
        long epoch = Codec.readLong(in, "epoch");
        if (!epochsValid(baseEpoch, epoch)) {
            throw new WireException(ErrorCode.MALFORMED_FRAME, epochProblem(baseEpoch, epoch));
        }
        // Lists are sized by the bytes present, not the counts alone: a hostile count allocates nothing big.
        int nb = Codec.readCount(in, "broker_count");
        List<BrokerInfo> brokers = new ArrayList<>(Math.min(nb, in.readableBytes() / BrokerInfo.MIN_BYTES));
        for (int i = 0; i < nb; i++) {
            brokers.add(BrokerInfo.read(in));
        }
        List<Integer> removedBrokers = PartitionInfo.readIds(in, "removed_broker_count");
        int nt = Codec.readCount(in, "new_topic_count");
        List<TopicInfo> newTopics = new ArrayList<>(Math.min(nt, in.readableBytes() / TopicInfo.MIN_BYTES));
        for (int i = 0; i < nt; i++) {
            newTopics.add(TopicInfo.read(in));
        }
        int np = Codec.readCount(in, "partition_count");
        List<PartitionChange> partitions =
            new ArrayList<>(Math.min(np, in.readableBytes() / PartitionChange.MIN_BYTES));
        for (int i = 0; i < np; i++) {
            partitions.add(PartitionChange.read(in));
        }
        int nd = Codec.readCount(in, "deleted_topic_count");
        List<String> deletedTopics = new ArrayList<>(Math.min(nd, in.readableBytes() / 2));
        for (int i = 0; i < nd; i++) {
            deletedTopics.add(Codec.readRequiredString(in, "deleted_topic"));
        }
        return new LeaderInfoDelta(baseEpoch, epoch, brokers, removedBrokers, newTopics, partitions, deletedTopics);
    }

    private static boolean epochsValid(long baseEpoch, long epoch) {
        return baseEpoch >= 0 && epoch > baseEpoch;
    }

    private static String epochProblem(long baseEpoch, long epoch) {
        return "delta from base_epoch " + baseEpoch + " to epoch " + epoch + ": needs 0 <= base_epoch < epoch";
    }
}
