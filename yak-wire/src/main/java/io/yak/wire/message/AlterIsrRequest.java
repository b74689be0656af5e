package io.yak.wire.message;

import io.netty.buffer.ByteBuf;
import io.yak.wire.MessageType;
import java.util.ArrayList;
import java.util.List;

/**
 * A partition leader asks the coordinator to change the in-sync replica sets of partitions it leads (a follower fell
 * behind, or caught up). See {@code WIRE.md}, section "ALTER_ISR_REQUEST". Immutable.
 */
public record AlterIsrRequest(int brokerId, long brokerEpoch, List<AlterIsrPartition> partitions) implements Message {
    public AlterIsrRequest {
        partitions = List.copyOf(partitions);
    }

    @Override
    public MessageType type() {
        return MessageType.ALTER_ISR_REQUEST;
    }

    @Override
    public void writeBody(ByteBuf out) {
        out.writeInt(brokerId);
        out.writeLong(brokerEpoch);
        out.writeInt(partitions.size());
        for (AlterIsrPartition p : partitions) {
            p.write(out);
        }
    }

    static AlterIsrRequest read(ByteBuf in) {
        int brokerId = Codec.readInt(in, "broker_id");
        long brokerEpoch = Codec.readLong(in, "broker_epoch");
        int n = Codec.readCount(in, "partition_count");
        List<AlterIsrPartition> partitions = new ArrayList<>(Math.min(n, in.readableBytes() / AlterIsrPartition.MIN_BYTES));
        for (int i = 0; i < n; i++) {
            partitions.add(AlterIsrPartition.read(in));
        }
        return new AlterIsrRequest(brokerId, brokerEpoch, partitions);
    }
}
