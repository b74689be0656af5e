package io.yak.wire.message;

import io.netty.buffer.ByteBuf;
import io.yak.wire.ErrorCode;
import io.yak.wire.MessageType;

/** The committed offset, or -1 when the group never committed one for that partition. See {@code WIRE.md}, section "FETCH_OFFSET_RESPONSE". */
public record FetchOffsetResponse(ErrorCode error, long offset) implements Message {
    @Override
    public MessageType type() {
        return MessageType.FETCH_OFFSET_RESPONSE;
    }

    @Override
    public void writeBody(ByteBuf out) {
        out.writeShort(error.code());
        out.writeLong(offset);
    }

    static FetchOffsetResponse read(ByteBuf in) {
        return new FetchOffsetResponse(Codec.readError(in), Codec.readLong(in, "offset"));
    }
}
