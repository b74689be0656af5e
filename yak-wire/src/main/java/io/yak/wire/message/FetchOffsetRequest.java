package io.yak.wire.message;

import io.netty.buffer.ByteBuf;
import io.yak.wire.MessageType;

/** Asks for a consumer group's committed offset of one partition. See {@code WIRE.md}, section "FETCH_OFFSET_REQUEST". */
public record FetchOffsetRequest(String group, String topic, int partition) implements Message {
    @Override
    public MessageType type() {
        return MessageType.FETCH_OFFSET_REQUEST;
    }

    @Override
    public void writeBody(ByteBuf out) {
        Codec.writeString(out, group);
        Codec.writeString(out, topic);
        out.writeInt(partition);
    }

    static FetchOffsetRequest read(ByteBuf in) {
        return new FetchOffsetRequest(Codec.readRequiredString(in, "group"), Codec.readRequiredString(in, "topic"),
            Codec.readInt(in, "partition"));
    }
}
