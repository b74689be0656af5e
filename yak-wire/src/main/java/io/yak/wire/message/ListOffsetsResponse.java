package io.yak.wire.message;

import io.netty.buffer.ByteBuf;
import io.yak.wire.ErrorCode;
import io.yak.wire.MessageType;

/** The offset asked for. See {@code WIRE.md}, section "LIST_OFFSETS_RESPONSE". */
public record ListOffsetsResponse(ErrorCode error, long epoch, long offset) implements Message {
    @Override
    public MessageType type() {
        return MessageType.LIST_OFFSETS_RESPONSE;
    }

    @Override
    public void writeBody(ByteBuf out) {
        out.writeShort(error.code());
        out.writeLong(epoch);
        out.writeLong(offset);
    }

    static ListOffsetsResponse read(ByteBuf in) {
        return new ListOffsetsResponse(Codec.readError(in), Codec.readLong(in, "epoch"), Codec.readLong(in, "offset"));
    }
}
