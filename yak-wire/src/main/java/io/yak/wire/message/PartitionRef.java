package io.yak.wire.message;

import io.netty.buffer.ByteBuf;
import java.util.Objects;

/**
 * Names one partition: its topic and partition number. See {@code WIRE.md}, section "PartitionRef". The wire
 * carries any values; the receiver decides whether the partition exists.
 */
public record PartitionRef(String topic, int partition) {
    /** Smallest encoding: an empty topic name (2 bytes) and the partition (4 bytes). */
    static final int MIN_BYTES = 2 + 4;

    public PartitionRef {
        Objects.requireNonNull(topic, "topic");
    }

    static PartitionRef read(ByteBuf in) {
        return new PartitionRef(Codec.readRequiredString(in, "partition_ref.topic"),
            Codec.readInt(in, "partition_ref.partition"));
    }

    void write(ByteBuf out) {
        Codec.writeString(out, topic);
        out.writeInt(partition);
    }

    @Override
    public String toString() {
        return topic + "-" + partition;
    }
}
