package io.yak.wire.message;

import io.netty.buffer.ByteBuf;
import java.util.Objects;

/** One committed offset of a described group. See {@code WIRE.md}, section "GroupOffset". Immutable. */
public record GroupOffset(String topic, int partition, long offset) {
    static final int MIN_BYTES = 2 + 4 + 8;

    public GroupOffset {
        Objects.requireNonNull(topic, "topic");
    }

    static GroupOffset read(ByteBuf in) {
        return new GroupOffset(Codec.readRequiredString(in, "group_offset.topic"),
            Codec.readInt(in, "group_offset.partition"), Codec.readLong(in, "group_offset.offset"));
    }

    void write(ByteBuf out) {
        Codec.writeString(out, topic);
        out.writeInt(partition);
        out.writeLong(offset);
    }
}
