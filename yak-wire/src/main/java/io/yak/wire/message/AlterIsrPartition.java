package io.yak.wire.message;

import io.netty.buffer.ByteBuf;
import java.util.List;
import java.util.Objects;

/**
 * A leader's proposed ISR for one partition, valid only against the leader epoch and partition epoch it was computed
 * from (compare-and-set). See {@code WIRE.md}, section "AlterIsrPartition".
 */
public record AlterIsrPartition(String topic, int partition, int leaderEpoch, int partitionEpoch, List<Integer> isr) {
    static final int MIN_BYTES = 2 + 4 + 4 + 4 + 4;

    public AlterIsrPartition {
        Objects.requireNonNull(topic, "topic");
        isr = List.copyOf(isr);
    }

    static AlterIsrPartition read(ByteBuf in) {
        return new AlterIsrPartition(Codec.readRequiredString(in, "topic"), Codec.readInt(in, "partition"),
            Codec.readInt(in, "leader_epoch"), Codec.readInt(in, "partition_epoch"),
            PartitionInfo.readIds(in, "isr_count"));
    }

    void write(ByteBuf out) {
        Codec.writeString(out, topic);
        out.writeInt(partition);
        out.writeInt(leaderEpoch);
        out.writeInt(partitionEpoch);
        PartitionInfo.writeIds(out, isr);
    }
}
