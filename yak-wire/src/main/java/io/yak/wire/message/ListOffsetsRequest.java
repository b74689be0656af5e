package io.yak.wire.message;

import io.netty.buffer.ByteBuf;
import io.yak.wire.MessageType;

/** Asks for the earliest (timestamp -2) or latest (timestamp -1) offset of a partition. See {@code WIRE.md}, section "LIST_OFFSETS_REQUEST". */
public record ListOffsetsRequest(String topic, int partition, long timestamp) implements Message {
    @Override
    public MessageType type() {
        return MessageType.LIST_OFFSETS_REQUEST;
    }

    @Override
    public void writeBody(ByteBuf out) {
        Codec.writeString(out, topic);
        out.writeInt(partition);
        out.writeLong(timestamp);
    }

    static ListOffsetsRequest read(ByteBuf in) {
        return new ListOffsetsRequest(Codec.readRequiredString(in, "topic"), Codec.readInt(in, "partition"),
            Codec.readLong(in, "timestamp"));
    }
}
