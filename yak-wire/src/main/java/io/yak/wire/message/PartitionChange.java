package io.yak.wire.message;

import io.netty.buffer.ByteBuf;
import io.yak.wire.ErrorCode;
import io.yak.wire.WireException;
import java.util.Objects;

/**
 * The new state of one partition in a {@link LeaderInfoDelta}: it replaces the partition of that number in its
 * topic. See {@code WIRE.md}, section "PartitionChange". Immutable.
 */
public record PartitionChange(String topic, PartitionInfo partition) {
    /** Smallest encoding: an empty topic name and a partition with no replicas (four int32 and three counts). */
    static final int MIN_BYTES = 2 + 4 * 4 + 3 * 4;

    /**
     * @throws IllegalArgumentException for a negative partition number, which no receiver would accept: a sender's
     *     bug shows here rather than as every receiver closing its connection
     */
    public PartitionChange {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(partition, "partition");
        if (partition.partition() < 0) {
            throw new IllegalArgumentException("change of " + topic + " names partition " + partition.partition());
        }
    }

    static PartitionChange read(ByteBuf in) {
        String topic = Codec.readRequiredString(in, "partition_change.topic");
        PartitionInfo partition = PartitionInfo.read(in);
        if (partition.partition() < 0) {
            throw new WireException(ErrorCode.MALFORMED_FRAME,
                "partition change of topic " + topic + " names partition " + partition.partition());
        }
        return new PartitionChange(topic, partition);
    }

    void write(ByteBuf out) {
        Codec.writeString(out, topic);
        partition.write(out);
    }
}
