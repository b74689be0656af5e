package io.yak.wire.message;

import io.netty.buffer.ByteBuf;
import io.yak.wire.MessageType;
import java.util.ArrayList;
import java.util.List;

/**
 * A broker's periodic report of the partitions it leads, for the coordinator's console and lag figures. See
 * {@code WIRE.md}, section "BROKER_STATS_REQUEST". Immutable; {@code partitions} is an unmodifiable list.
 */
public record BrokerStatsRequest(int brokerId, List<PartitionStats> partitions) implements Message {
    public BrokerStatsRequest {
        partitions = List.copyOf(partitions);
    }

    @Override
    public MessageType type() {
        return MessageType.BROKER_STATS_REQUEST;
    }

    @Override
    public void writeBody(ByteBuf out) {
        out.writeInt(brokerId);
        out.writeInt(partitions.size());
        for (PartitionStats p : partitions) {
            p.write(out);
        }
    }

    static BrokerStatsRequest read(ByteBuf in) {
        int brokerId = Codec.readInt(in, "broker_id");
        int n = Codec.readCount(in, "partition_count");
        // Sized by the bytes present, not the count alone: a hostile count in a short frame allocates nothing big.
        List<PartitionStats> partitions = new ArrayList<>(Math.min(n, in.readableBytes() / PartitionStats.MIN_BYTES));
        for (int i = 0; i < n; i++) {
            partitions.add(PartitionStats.read(in));
        }
        return new BrokerStatsRequest(brokerId, partitions);
    }
}
