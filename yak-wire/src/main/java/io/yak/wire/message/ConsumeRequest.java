package io.yak.wire.message;

import io.netty.buffer.ByteBuf;
import io.yak.wire.MessageType;

/** Reads batches from an offset, up to maxBytes, waiting up to maxWaitMs when nothing is there yet. See {@code WIRE.md}, section "CONSUME_REQUEST". */
public record ConsumeRequest(String topic, int partition, long offset, int maxBytes, int maxWaitMs) implements Message {
    @Override
    public MessageType type() {
        return MessageType.CONSUME_REQUEST;
    }

    @Override
    public void writeBody(ByteBuf out) {
        Codec.writeString(out, topic);
        out.writeInt(partition);
        out.writeLong(offset);
        out.writeInt(maxBytes);
        out.writeInt(maxWaitMs);
    }

    static ConsumeRequest read(ByteBuf in) {
        return new ConsumeRequest(Codec.readRequiredString(in, "topic"), Codec.readInt(in, "partition"),
            Codec.readLong(in, "offset"), Codec.readInt(in, "max_bytes"), Codec.readInt(in, "max_wait_ms"));
    }
}
