package io.yak.wire.message;

import io.netty.buffer.ByteBuf;
import io.yak.wire.ErrorCode;
import java.util.List;
import java.util.Objects;

/**
 * The coordinator's answer for one partition of an ALTER_ISR_REQUEST: the error, and the partition's state after
 * the request (changed on {@code NONE}, the current one otherwise, so the leader can retry from it). See
 * {@code WIRE.md}, section "AlterIsrResult".
 */
public record AlterIsrResult(String topic, int partition, ErrorCode error, int leader, int leaderEpoch,
                             int partitionEpoch, List<Integer> isr) {
    static final int MIN_BYTES = 2 + 4 + 2 + 4 + 4 + 4 + 4;

    public AlterIsrResult {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(error, "error");
        isr = List.copyOf(isr);
    }

    static AlterIsrResult read(ByteBuf in) {
        return new AlterIsrResult(Codec.readRequiredString(in, "topic"), Codec.readInt(in, "partition"),
            Codec.readError(in), Codec.readInt(in, "leader"), Codec.readInt(in, "leader_epoch"),
            Codec.readInt(in, "partition_epoch"), PartitionInfo.readIds(in, "isr_count"));
    }

    void write(ByteBuf out) {
        Codec.writeString(out, topic);
        out.writeInt(partition);
        out.writeShort(error.code());
        out.writeInt(leader);
        out.writeInt(leaderEpoch);
        out.writeInt(partitionEpoch);
        PartitionInfo.writeIds(out, isr);
    }
}
