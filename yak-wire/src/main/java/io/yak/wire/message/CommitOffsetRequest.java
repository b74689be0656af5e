package io.yak.wire.message;

import io.netty.buffer.ByteBuf;
import io.yak.wire.MessageType;

/** Stores a consumer group's next offset to read for one partition. See {@code WIRE.md}, section "COMMIT_OFFSET_REQUEST". */
public record CommitOffsetRequest(String group, String topic, int partition, long offset) implements Message {
    @Override
    public MessageType type() {
        return MessageType.COMMIT_OFFSET_REQUEST;
    }

    @Override
    public void writeBody(ByteBuf out) {
        Codec.writeString(out, group);
        Codec.writeString(out, topic);
        out.writeInt(partition);
        out.writeLong(offset);
    }

    static CommitOffsetRequest read(ByteBuf in) {
        return new CommitOffsetRequest(Codec.readRequiredString(in, "group"), Codec.readRequiredString(in, "topic"),
            Codec.readInt(in, "partition"), Codec.readLong(in, "offset"));
    }
}
